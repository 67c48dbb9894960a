/**
 * Everything a request handler, job or CLI command needs, built once from the config:
 * store, queue, event bus, secrets, media and provider accounts.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config/env.js';
import { migrateToLatest, openStore, type Db, type Store } from './db/client.js';
import { randomToken, SecretBox } from './lib/crypto.js';
import { WriteBatcher } from './db/write-batcher.js';
import { JobQueue, type QueueOptions } from './jobs/queue.js';
import { EventBus } from './services/events.js';
import { MediaStore } from './services/media-store.js';
import { ProviderAccounts } from './services/provider-accounts.js';
import { SessionTransports } from './services/session-transports.js';
import type { AdapterDeps } from './providers/core/types.js';
import { createNetGuard, type NetGuard } from './lib/net-guard.js';

export interface AppContext {
  config: Readonly<Config>;
  log: Logger;
  store: Store;
  db: Db;
  /** Group-committed write transactions for the hot paths (webhook ingest, API sends). */
  writes: WriteBatcher;
  secrets: SecretBox;
  queue: JobQueue;
  events: EventBus;
  media: MediaStore;
  accounts: ProviderAccounts;
  /** Long-lived carrier sessions (SMPP binds) of this node; started with the workers. */
  sessions: SessionTransports;
  /** The guarded fetch: every outbound connection goes through it (lib/net-guard.ts). */
  fetch: typeof fetch;
  net: NetGuard;
  /** Set by the HTTP app so the sandbox carrier can post its webhooks in-process. */
  loopback: AdapterDeps['loopback'];
  close(): Promise<void>;
}

/** SECRET_KEY, or the key generated into DATA_DIR on first start (mode 0600). */
function loadSecretKey(config: Readonly<Config>): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, 'secret.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const key = randomToken(48);
  fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export interface ContextOptions {
  logger?: Logger;
  queue?: QueueOptions;
  fetch?: typeof fetch;
}

export async function createContext(config: Readonly<Config>, options: ContextOptions = {}): Promise<AppContext> {
  const log =
    options.logger ??
    pino({ level: config.logLevel, redact: { paths: ['*.password', '*.credentials', '*.authToken', '*.apiKey', 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' } });
  const store = openStore(config);
  await migrateToLatest(store);
  const secrets = new SecretBox(loadSecretKey(config));
  const queue = new JobQueue(store.db, store.dialect, log, options.queue);
  const events = new EventBus(log, store.pgPool);
  await events.start();
  const net = createNetGuard({ allowPrivate: config.allowPrivateUrls });
  const media = new MediaStore(store.db, store.dialect, config.dataDir, secrets, config.publicUrl);

  const context = {
    config,
    log,
    store,
    db: store.db,
    writes: new WriteBatcher(store.db),
    secrets,
    queue,
    events,
    media,
    net,
    fetch: options.fetch ?? net.fetch,
    loopback: async () => {
      throw new Error('the HTTP app is not running, so the sandbox carrier cannot call back');
    },
  } as Omit<AppContext, 'accounts' | 'sessions' | 'close'> as AppContext;

  const deps: AdapterDeps = {
    fetch: context.fetch,
    clock: () => new Date(),
    readOwnMedia: (url) => media.readSignedUrl(url),
    loopback: (p, body, headers) => context.loopback(p, body, headers),
    sessions: (type) => context.sessions.host(type),
  };
  context.accounts = new ProviderAccounts(store.db, secrets, config.publicUrl, deps, log);
  context.sessions = new SessionTransports(context);
  context.close = async () => {
    await context.sessions.stop();
    await queue.stop();
    await events.stop();
    await store.close();
  };
  return context;
}
