/**
 * Everything a request handler, job or CLI command needs, built once from the config:
 * store, queue, event bus, secrets, media and provider accounts.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { ConfigError, type Config } from './config/env.js';
import { migrateToLatest, openStore, type Db, type Store } from './db/client.js';
import { randomToken, SecretBox } from './lib/crypto.js';
import { WriteBatcher } from './db/write-batcher.js';
import { keepMessageSearchCurrent } from './db/message-search-backlog.js';
import { JobQueue, type QueueOptions } from './jobs/queue.js';
import { EventBus } from './services/events.js';
import { NodeCache } from './services/node-cache.js';
import { loadReceivingNumber, type ReceivingNumber } from './services/receiving-numbers.js';
import { prepared } from './db/prepared.js';
import { tenantHasPushSubscription } from './services/push.js';
import { tenantHasCase } from './services/cases.js';
import { loadSubscribedEndpoints, type SubscribedEndpoint } from './services/automation/event-webhooks.js';
import { MediaStore } from './services/media-store.js';
import { ProviderAccounts } from './services/provider-accounts.js';
import { SessionTransports } from './services/session-transports.js';
import type { AdapterDeps } from './providers/core/types.js';
import { createNetGuard, type NetGuard } from './lib/net-guard.js';
import { getGeneralSettings, type GeneralSettings } from './services/tenant-settings.js';
import { loadOptOutsOfPhone, tenantHasSmsRefusingContact } from './services/routing/opt-outs.js';
import type { OptOutTable } from './services/routing/tables.js';
import { loadContactsWithPhone } from './services/routing/contacts.js';
import { loadNumber, loadNumberId, type NumberRow } from './services/number-rows.js';
import { loadApiKey, loadUserRole, type ApiKeyEntry } from './services/auth-lookups.js';
import type { UserTable } from './db/schema.js';

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
  /** A tenant's enabled event webhooks, read for every event (call `changed(tenantId)` after writing one). */
  eventWebhookEndpoints: NodeCache<SubscribedEndpoint[]>;
  /** `accountId\nE.164` → the number receiving on that account; call `changed(key)` when a number moves or goes. */
  receivingNumbers: NodeCache<ReceivingNumber | undefined>;
  /** Whether a tenant has an enabled workflow; call `changed(tenantId)` after creating, enabling or deleting one. */
  hasEnabledWorkflows: NodeCache<boolean>;
  /** A tenant's general settings (default country, time zone…), read by every send; call `changed(tenantId)` after writing them. */
  tenantSettings: NodeCache<GeneralSettings>;
  /** Whether a tenant has a push subscription; call `changed(tenantId)` after adding one. */
  hasPushSubscriptions: NodeCache<boolean>;
  /** Whether a tenant has ever had a case (a deleted one may leave it true: that only costs a lookup); createCase calls `changed`. */
  hasCases: NodeCache<boolean>;
  /** Whether a tenant has a contact who refuses SMS (one allowed again may leave it true: that only costs a lookup); createContact and updateContact call `changed`. */
  hasSmsRefusingContacts: NodeCache<boolean>;
  /** Our numbers by id, read by every send and inbound message (services/number-rows.ts: call `numberChanged` after changing one). */
  numbers: NodeCache<NumberRow | undefined>;
  /** `tenantId\nE.164` → number id (services/number-rows.ts). */
  numberIds: NodeCache<string | undefined>;
  /** API keys by the SHA-256 of the key, read by every API request; call `changed(hash)` after revoking one. */
  apiKeys: NodeCache<ApiKeyEntry | undefined>;
  /** `tenantId\nuserId` → the person's role (null: removed), which their API keys act with; call `changed(userRoleKey(…))` after changing it. */
  userRoles: NodeCache<UserTable['role'] | null>;
  /** `tenantId\nphone` → that phone's opt-outs (none kept too: most recipients have none), read by every send; services/routing/opt-outs.ts writes and drops them. */
  optOuts: NodeCache<OptOutTable[]>;
  /** `tenantId\nphone` → ids of the tenant's contacts with that phone (none kept too), read by every inbound message; services/routing/contacts.ts writes and drops them. */
  contactsByPhone: NodeCache<string[]>;
  /** Set by the HTTP app so the sandbox carrier can post its webhooks in-process. */
  loopback: AdapterDeps['loopback'];
  close(): Promise<void>;
}

/** SECRET_KEY, or the key generated into DATA_DIR on first start (mode 0600). */
function loadSecretKey(config: Readonly<Config>): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, 'secret.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const key = randomToken(48);
  fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

/** The SQLite file and its WAL/SHM companions hold credentials and messages: owner-only. */
function restrictDatabaseFiles(config: Readonly<Config>): void {
  if (config.dialect !== 'sqlite' || !config.sqlitePath || config.sqlitePath === ':memory:') return;
  for (const file of [config.sqlitePath, `${config.sqlitePath}-wal`, `${config.sqlitePath}-shm`]) {
    if (fs.existsSync(file)) fs.chmodSync(file, 0o600);
  }
}

/**
 * Every node must share one SECRET_KEY (it decrypts provider credentials and signs media links).
 * The first node records a fingerprint of its key; a node with another key refuses to start.
 */
async function assertSameSecretKey(db: Db, secretKey: string): Promise<void> {
  const fingerprint = createHmac('sha256', secretKey).update('switchboard secret key fingerprint').digest('hex').slice(0, 32);
  await db.insertInto('instance_settings').values({ key: 'secret_key_fingerprint', value: fingerprint }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const stored = await db.selectFrom('instance_settings').select('value').where('key', '=', 'secret_key_fingerprint').executeTakeFirstOrThrow();
  if (stored.value !== fingerprint) {
    throw new ConfigError('SECRET_KEY', `differs from the key this database was set up with (fingerprint ${stored.value.slice(0, 8)}…, this node ${fingerprint.slice(0, 8)}…); give every node the same SECRET_KEY`);
  }
}

const anyEnabledWorkflow = prepared<{ tenantId: string }>()((db, p) => db.selectFrom('workflows').select('id').where('tenant_id', '=', p.tenantId).where('enabled', '=', 1).limit(1));

export interface ContextOptions {
  logger?: Logger;
  queue?: QueueOptions;
  fetch?: typeof fetch;
}

export async function createContext(config: Readonly<Config>, options: ContextOptions = {}): Promise<AppContext> {
  const log =
    options.logger ??
    pino({ level: config.logLevel, redact: { paths: ['*.password', '*.credentials', '*.authToken', '*.apiKey', 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' } });
  const store = openStore({ ...config, onCheckpointerError: (error) => log.error({ err: error }, 'the WAL checkpoint thread stopped; SQLite checkpoints on the main thread again') });
  await migrateToLatest(store);
  restrictDatabaseFiles(config);
  const secretKey = loadSecretKey(config);
  await assertSameSecretKey(store.db, secretKey);
  const secrets = new SecretBox(secretKey);
  const writes = new WriteBatcher(store.db);
  const queue = new JobQueue(store.db, store.dialect, log, { ...options.queue, writes });
  const events = new EventBus(log, store.pgPool);
  await events.start();
  const net = createNetGuard({ allowPrivate: config.allowPrivateUrls });
  const media = new MediaStore(store.db, store.dialect, config.dataDir, secrets, config.publicUrl, config.mediaStore);

  const context = {
    config,
    log,
    store,
    db: store.db,
    writes,
    secrets,
    queue,
    events,
    media,
    net,
    fetch: options.fetch ?? net.fetch,
    eventWebhookEndpoints: new NodeCache('event_webhooks', events, (tenantId) => loadSubscribedEndpoints(store.db, tenantId)),
    // Only numbers that exist are kept: keys come from carrier input, and a new number needs no invalidation.
    receivingNumbers: new NodeCache('receiving_numbers', events, (key) => loadReceivingNumber(store.db, key), { keep: (number) => number !== undefined }),
    hasEnabledWorkflows: new NodeCache('enabled_workflows', events, async (tenantId) => (await anyEnabledWorkflow.first(store.db, { tenantId })) !== undefined),
    tenantSettings: new NodeCache('tenant_settings', events, (tenantId) => getGeneralSettings(store.db, tenantId)),
    hasPushSubscriptions: new NodeCache('push_subscriptions', events, (tenantId) => tenantHasPushSubscription(store.db, tenantId)),
    hasCases: new NodeCache('cases', events, (tenantId) => tenantHasCase(store.db, tenantId)),
    hasSmsRefusingContacts: new NodeCache('sms_refusing_contacts', events, (tenantId) => tenantHasSmsRefusingContact(store.db, tenantId)),
    numbers: new NodeCache('numbers', events, (id) => loadNumber(store.db, id), { keep: (number) => number !== undefined }),
    // Only numbers that exist are kept: the E.164 comes from request input.
    numberIds: new NodeCache('number_ids', events, (key) => loadNumberId(store.db, key), { keep: (id) => id !== undefined }),
    // Only keys that exist are kept: hashes come from request input.
    apiKeys: new NodeCache('api_keys', events, (hash) => loadApiKey(store.db, hash), { keep: (key) => key !== undefined }),
    userRoles: new NodeCache('user_roles', events, (key) => loadUserRole(store.db, key)),
    optOuts: new NodeCache('opt_outs', events, (key) => loadOptOutsOfPhone(store.db, key)),
    contactsByPhone: new NodeCache('contacts_by_phone', events, (key) => loadContactsWithPhone(store.db, key)),
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
  context.accounts = new ProviderAccounts(store.db, secrets, config.publicUrl, deps, log, events);
  context.sessions = new SessionTransports(context);
  const stopIndexing = store.dialect === 'sqlite' ? keepMessageSearchCurrent(store.db, writes, log) : async () => undefined;
  context.close = async () => {
    await context.sessions.stop();
    await queue.stop(config.shutdownGraceMs);
    await stopIndexing();
    await events.stop();
    media.close();
    await net.close();
    await store.close();
  };
  return context;
}
