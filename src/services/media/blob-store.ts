/**
 * Where media bytes live. A message's media row keeps a storage key whose prefix names the
 * backend (`file:`, `db:`, `s3:`), so bytes written before a change of MEDIA_STORE stay readable.
 * - file: DATA_DIR/media (the embedded default on SQLite; one node only)
 * - db:   the media_blobs table (the default on PostgreSQL; every node reads it)
 * - s3:   S3-compatible object storage (MEDIA_STORE=s3://bucket; the choice for several nodes)
 */
import fs from 'node:fs/promises';
import path from 'node:path';
// The AWS SDK is loaded only when MEDIA_STORE is s3:// (it is slow to import).
type S3Sdk = typeof import('@aws-sdk/client-s3');
import type { MediaStoreConfig } from '../../config/env.js';
import type { Db, Dialect } from '../../db/client.js';

export interface BlobStore {
  /** Stores bytes; returns the storage key to keep on the media row. */
  write(tenantId: string, id: string, data: Buffer): Promise<string>;
  /** Reads bytes back; null when they are gone. */
  read(storageKey: string): Promise<Buffer | null>;
  /** Removes bytes (retention); missing bytes are not an error. */
  remove(storageKey: string): Promise<void>;
}

export class LocalBlobStore implements BlobStore {
  constructor(private readonly folder: string) {}

  async write(tenantId: string, id: string, data: Buffer): Promise<string> {
    const file = path.join(this.folder, tenantId, id);
    // Owner-only: message media is customer data.
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fs.writeFile(file, data, { mode: 0o600 });
    return `file:${tenantId}/${id}`;
  }

  private fileFor(storageKey: string): string | null {
    const relative = path.normalize(storageKey.replace(/^file:/, ''));
    return relative.startsWith('..') || path.isAbsolute(relative) ? null : path.join(this.folder, relative);
  }

  async remove(storageKey: string): Promise<void> {
    const file = this.fileFor(storageKey);
    if (file) await fs.rm(file, { force: true });
  }

  async read(storageKey: string): Promise<Buffer | null> {
    const relative = path.normalize(storageKey.replace(/^file:/, ''));
    if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
    try {
      return await fs.readFile(path.join(this.folder, relative));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
}

export class DatabaseBlobStore implements BlobStore {
  constructor(private readonly db: Db) {}

  async write(_tenantId: string, id: string, data: Buffer): Promise<string> {
    await this.db.insertInto('media_blobs').values({ id, data }).execute();
    return `db:${id}`;
  }

  async remove(storageKey: string): Promise<void> {
    await this.db.deleteFrom('media_blobs').where('id', '=', storageKey.slice(3)).execute();
  }

  async read(storageKey: string): Promise<Buffer | null> {
    const blob = await this.db.selectFrom('media_blobs').select('data').where('id', '=', storageKey.slice(3)).executeTakeFirst();
    return blob ? Buffer.from(blob.data) : null;
  }
}

export class S3BlobStore implements BlobStore {
  private sdk: Promise<{ sdk: S3Sdk; client: InstanceType<S3Sdk['S3Client']> }> | null = null;

  constructor(private readonly config: Extract<MediaStoreConfig, { kind: 's3' }>) {}

  private connect() {
    const { config } = this;
    return (this.sdk ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: config.region,
        endpoint: config.endpoint ?? undefined,
        forcePathStyle: config.forcePathStyle,
        credentials: config.accessKeyId && config.secretAccessKey ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } : undefined,
      }),
    })));
  }

  private objectKey(tenantId: string, id: string): string {
    return [this.config.prefix, tenantId, id].filter(Boolean).join('/');
  }

  async write(tenantId: string, id: string, data: Buffer): Promise<string> {
    const key = this.objectKey(tenantId, id);
    const { sdk, client } = await this.connect();
    await client.send(new sdk.PutObjectCommand({ Bucket: this.config.bucket, Key: key, Body: data }));
    return `s3:${this.config.bucket}/${key}`;
  }

  async remove(storageKey: string): Promise<void> {
    const rest = storageKey.slice(3);
    const slash = rest.indexOf('/');
    const { sdk, client } = await this.connect();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: rest.slice(0, slash), Key: rest.slice(slash + 1) }));
  }

  async read(storageKey: string): Promise<Buffer | null> {
    const rest = storageKey.slice(3);
    const slash = rest.indexOf('/');
    const { sdk, client } = await this.connect();
    try {
      const answer = await client.send(new sdk.GetObjectCommand({ Bucket: rest.slice(0, slash), Key: rest.slice(slash + 1) }));
      return answer.Body ? Buffer.from(await answer.Body.transformToByteArray()) : null;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  destroy(): void {
    void this.sdk?.then(({ client }) => client.destroy());
  }
}

/** The store new media goes to, and readers for every key prefix. */
export function createBlobStores(options: { config: MediaStoreConfig; db: Db; dialect: Dialect; dataDir: string }): { writer: BlobStore; readers: Record<string, BlobStore>; close(): void } {
  const local = new LocalBlobStore(path.join(options.dataDir, 'media'));
  const database = new DatabaseBlobStore(options.db);
  const s3 = options.config.kind === 's3' ? new S3BlobStore(options.config) : null;
  const writer = s3 ?? (options.dialect === 'postgres' ? database : local);
  return { writer, readers: { file: local, db: database, ...(s3 ? { s3 } : {}) }, close: () => s3?.destroy() };
}
