/**
 * MMS media (F5): bytes kept in the configured blob store (services/media/blob-store.ts: the
 * DATA_DIR folder, the media_blobs table, or S3-compatible storage) and served to providers from
 * signed, expiring URLs.
 */
import type { MediaStoreConfig } from '../config/env.js';
import { AppError } from '../errors.js';
import { createBlobStores, type BlobStore } from './media/blob-store.js';
import type { SecretBox } from '../lib/crypto.js';
import { newId } from '../lib/ids.js';
import { now, type Db, type Dialect } from '../db/client.js';
import type { MediaTable } from '../db/schema.js';

export const ALLOWED_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp',
  'video/mp4', 'video/3gpp', 'video/quicktime',
  'audio/mpeg', 'audio/mp4', 'audio/amr', 'audio/ogg', 'audio/wav', 'audio/3gpp',
  'text/vcard', 'text/x-vcard', 'text/plain', 'text/calendar', 'application/pdf',
]);
export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;
const URL_TTL_SECONDS = 7 * 24 * 3600;

export interface StoredMedia {
  contentType: string;
  data: Buffer;
}

export class MediaStore {
  private readonly writer: BlobStore;
  private readonly readers: Record<string, BlobStore>;
  readonly close: () => void;

  constructor(
    private readonly db: Db,
    dialect: Dialect,
    dataDir: string,
    private readonly secrets: SecretBox,
    private readonly publicUrl: string,
    config: MediaStoreConfig = { kind: 'local' },
  ) {
    const stores = createBlobStores({ config, db, dialect, dataDir });
    this.writer = stores.writer;
    this.readers = stores.readers;
    this.close = stores.close;
  }

  checkMedia(contentType: string, size: number): void {
    if (!ALLOWED_MEDIA_TYPES.has(contentType)) {
      throw new AppError('unsupported_media', `media type "${contentType}" is not accepted; use one of ${[...ALLOWED_MEDIA_TYPES].join(', ')}`);
    }
    if (size > MAX_MEDIA_BYTES) throw new AppError('payload_too_large', `media is ${size} bytes; the limit is ${MAX_MEDIA_BYTES}`);
    if (size === 0) throw new AppError('invalid_media', 'media is empty');
  }

  /**
   * Stores the bytes and returns their row, attached to no message unless `of` names one. Then
   * `of.replaces` is the message's pending row these bytes were downloaded for: it goes in the
   * same transaction, so a reader never sees the message with both.
   */
  async save(tenantId: string, contentType: string, data: Buffer, of: { messageId: string; sourceUrl: string | null; replaces: string } | null = null): Promise<MediaTable> {
    this.checkMedia(contentType, data.length);
    const id = newId('med');
    const storageKey = await this.writer.write(tenantId, id, data);
    const row: MediaTable = { id, tenant_id: tenantId, message_id: of?.messageId ?? null, content_type: contentType, size: data.length, storage_key: storageKey, source_url: of?.sourceUrl ?? null, status: 'stored', created_at: now() };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('media').values(row).execute();
      if (of) await trx.deleteFrom('media').where('id', '=', of.replaces).execute();
    });
    return row;
  }

  async read(media: Pick<MediaTable, 'id' | 'storage_key' | 'content_type'>): Promise<StoredMedia> {
    if (!media.storage_key) throw new AppError('not_found', `media ${media.id} has no stored bytes`);
    const store = this.readers[media.storage_key.slice(0, media.storage_key.indexOf(':'))];
    const data = store ? await store.read(media.storage_key) : null;
    if (!data) throw new AppError('not_found', `media ${media.id} bytes are missing${store ? '' : ' (its store is not configured on this node)'}`);
    return { contentType: media.content_type, data };
  }

  /** Deletes stored media created before `before` (retention); returns how many went. */
  async purgeOlderThan(before: string, batch = 500): Promise<number> {
    const rows = await this.db.selectFrom('media').select(['id', 'storage_key']).where('created_at', '<', before).limit(batch).execute();
    for (const row of rows) {
      const prefix = row.storage_key?.slice(0, row.storage_key.indexOf(':')) ?? '';
      if (row.storage_key && this.readers[prefix]) await this.readers[prefix].remove(row.storage_key);
    }
    if (rows.length) await this.db.deleteFrom('media').where('id', 'in', rows.map((row) => row.id)).execute();
    return rows.length;
  }

  signedUrl(mediaId: string, ttlSeconds = URL_TTL_SECONDS): string {
    const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
    return `${this.publicUrl}/media/${mediaId}?expires=${expires}&sig=${this.secrets.sign(`media:${mediaId}:${expires}`)}`;
  }

  isValidSignature(mediaId: string, expires: string, sig: string): boolean {
    const expiry = Number(expires);
    return Number.isInteger(expiry) && expiry * 1000 > Date.now() && this.secrets.verify(`media:${mediaId}:${expiry}`, sig);
  }

  /** Resolves one of our own signed URLs to its bytes (used by the in-process sandbox carrier). */
  async readSignedUrl(url: string): Promise<StoredMedia | null> {
    if (!url.startsWith(`${this.publicUrl}/media/`)) return null;
    const parsed = new URL(url);
    const id = parsed.pathname.split('/').pop() ?? '';
    if (!this.isValidSignature(id, parsed.searchParams.get('expires') ?? '', parsed.searchParams.get('sig') ?? '')) return null;
    const row = await this.db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.read(row) : null;
  }
}
