/**
 * The only reader of process.env. Parses and validates every setting once at start-up and
 * returns a frozen, typed object. A bad value throws ConfigError naming the variable.
 */
import path from 'node:path';
import { parseAllowList } from '../lib/net-guard.js';

export class ConfigError extends Error {
  constructor(public readonly variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string;
  dialect: 'sqlite' | 'postgres';
  /** Absolute path of the SQLite file when dialect is sqlite. */
  sqlitePath: string | null;
  dataDir: string;
  secretKey: string | null;
  smtpUrl: string | null;
  mailFrom: string | null;
  defaultCountry: string | null;
  adminEmail: string | null;
  adminPassword: string | null;
  logLevel: string;
  /** Run the job workers in this process (SWITCHBOARD_WORKERS=0 makes an API-only node). */
  runWorkers: boolean;
  /** Maximum JSON body size in bytes. */
  bodyLimit: number;
  tlsCert: string | null;
  tlsKey: string | null;
  /** Raw `<PROVIDER>_*` variables, read by the provider registry (F6). */
  providerEnv: Readonly<Record<string, string>>;
  /** CIDRs outbound connections may reach although private (ALLOW_PRIVATE_URLS). */
  allowPrivateUrls: readonly string[];
  /** Reverse proxies whose X-Forwarded-* headers are believed (TRUST_PROXY); empty trusts none. */
  trustProxy: readonly string[];
  /** Bearer token /metrics requires when set. */
  metricsToken: string | null;
  /** Where media bytes live: the local folder (default) or S3-compatible object storage. */
  mediaStore: MediaStoreConfig;
  retention: RetentionConfig;
  /** How long SIGTERM waits for in-flight work before exiting. */
  shutdownGraceMs: number;
  /** Delays between event-webhook delivery attempts (EVENT_WEBHOOK_RETRY_SCHEDULE, seconds); about a day by default. */
  eventWebhookRetryMs: readonly number[];
}

export type MediaStoreConfig =
  | { kind: 'local' }
  | { kind: 's3'; bucket: string; prefix: string; endpoint: string | null; region: string; accessKeyId: string | null; secretAccessKey: string | null; forcePathStyle: boolean };

export interface RetentionConfig {
  webhookLogDays: number;
  deadJobsDays: number;
  /** 0 keeps media forever. */
  mediaDays: number;
  /** A session unused this long is signed out. */
  sessionIdleMinutes: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function optional(env: NodeJS.ProcessEnv, name: string): string | null {
  const value = env[name];
  return value === undefined || value.trim() === '' ? null : value.trim();
}

function parsePort(env: NodeJS.ProcessEnv): number {
  const raw = optional(env, 'PORT') ?? '3000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `must be an integer from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function parseUrl(name: string, raw: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => p + '//').join(' or ')}, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function parseDatabase(raw: string, cwd: string): Pick<Config, 'dialect' | 'sqlitePath'> {
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file) throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path, e.g. sqlite:./data/switchboard.db');
    return { dialect: 'sqlite', sqlitePath: file === ':memory:' ? file : path.resolve(cwd, file) };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) {
    parseUrl('DATABASE_URL', raw, ['postgres:', 'postgresql:']);
    return { dialect: 'postgres', sqlitePath: null };
  }
  throw new ConfigError('DATABASE_URL', `must start with sqlite: or postgres://, got "${raw}"`);
}

const PROVIDER_ENV = /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/;
const NON_PROVIDER_PREFIXES = ['SMTP_', 'MAIL_', 'DATABASE_', 'DATA_', 'SECRET_', 'DEFAULT_', 'ADMIN_', 'LOG_', 'PUBLIC_', 'TLS_', 'SWITCHBOARD_', 'BODY_', 'NODE_', 'NPM_', 'INIT_', 'ALLOW_', 'TRUST_', 'METRICS_', 'MEDIA_', 'S3_', 'RETENTION_', 'SESSION_', 'SHUTDOWN_', 'TEST_', 'BENCH_', 'EVENT_'];

function list(env: NodeJS.ProcessEnv, name: string): string[] {
  return (optional(env, name) ?? '').split(/[\s,]+/).filter(Boolean);
}

function cidrList(env: NodeJS.ProcessEnv, name: string): string[] {
  const entries = list(env, name);
  try {
    parseAllowList(entries);
  } catch (error) {
    throw new ConfigError(name, `must be a comma-separated list of IP addresses or CIDRs: ${(error as Error).message}`);
  }
  return entries;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(name, `must be a whole number of at least ${min}, got "${raw}"`);
  return value;
}

const DEFAULT_EVENT_WEBHOOK_RETRY_SECONDS = [30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800];

function retrySchedule(env: NodeJS.ProcessEnv, name: string): number[] {
  const entries = list(env, name);
  if (entries.length === 0) return DEFAULT_EVENT_WEBHOOK_RETRY_SECONDS.map((s) => s * 1000);
  const values = entries.map(Number);
  if (entries.length > 20 || values.some((v) => !Number.isFinite(v) || v < 0 || v > 86_400)) {
    throw new ConfigError(name, 'must be a comma-separated list of at most 20 delays in seconds (0 to 86400)');
  }
  return values.map((v) => Math.round(v * 1000));
}

function parseMediaStore(env: NodeJS.ProcessEnv): MediaStoreConfig {
  const raw = optional(env, 'MEDIA_STORE');
  if (raw === null || raw === 'local') return { kind: 'local' };
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(raw);
  if (!match) throw new ConfigError('MEDIA_STORE', `must be "local" or s3://bucket[/prefix], got "${raw}"`);
  const endpoint = optional(env, 'S3_ENDPOINT');
  if (endpoint !== null) parseUrl('S3_ENDPOINT', endpoint, ['http:', 'https:']);
  const accessKeyId = optional(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = optional(env, 'S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    throw new ConfigError(accessKeyId === null ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY', 'must be set together with ' + (accessKeyId === null ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'));
  }
  const pathStyle = optional(env, 'S3_FORCE_PATH_STYLE') ?? 'false';
  if (!['true', 'false', '1', '0'].includes(pathStyle)) throw new ConfigError('S3_FORCE_PATH_STYLE', 'must be true or false');
  return {
    kind: 's3',
    bucket: match[1]!,
    prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, ''),
    endpoint,
    region: optional(env, 'S3_REGION') ?? 'us-east-1',
    accessKeyId,
    secretAccessKey,
    forcePathStyle: pathStyle === 'true' || pathStyle === '1',
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Readonly<Config> {
  const dataDir = path.resolve(cwd, optional(env, 'DATA_DIR') ?? './data');
  // The default database lives in DATA_DIR, wherever that is.
  const databaseUrl = optional(env, 'DATABASE_URL') ?? `sqlite:${path.join(dataDir, 'switchboard.db')}`;
  const defaultCountry = optional(env, 'DEFAULT_COUNTRY')?.toUpperCase() ?? null;
  if (defaultCountry !== null && !/^[A-Z]{2}$/.test(defaultCountry)) {
    throw new ConfigError('DEFAULT_COUNTRY', `must be a two-letter ISO country code such as US, got "${defaultCountry}"`);
  }
  const secretKey = optional(env, 'SECRET_KEY');
  if (secretKey !== null && secretKey.length < 32) {
    throw new ConfigError('SECRET_KEY', 'must be at least 32 characters (or unset to generate one into DATA_DIR)');
  }
  const smtpUrl = optional(env, 'SMTP_URL');
  if (smtpUrl !== null) parseUrl('SMTP_URL', smtpUrl, ['smtp:', 'smtps:']);
  const mailFrom = optional(env, 'MAIL_FROM');
  if (smtpUrl !== null && mailFrom === null) throw new ConfigError('MAIL_FROM', 'must be set when SMTP_URL is set');
  const adminEmail = optional(env, 'ADMIN_EMAIL');
  const adminPassword = optional(env, 'ADMIN_PASSWORD');
  if (adminEmail !== null && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) {
    throw new ConfigError('ADMIN_EMAIL', `must be an email address, got "${adminEmail}"`);
  }
  if (adminEmail !== null && (adminPassword === null || adminPassword.length < 8)) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be set to at least 8 characters when ADMIN_EMAIL is set');
  }
  const logLevel = optional(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const bodyLimitRaw = optional(env, 'BODY_LIMIT_BYTES') ?? String(1024 * 1024);
  const bodyLimit = Number(bodyLimitRaw);
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) throw new ConfigError('BODY_LIMIT_BYTES', 'must be an integer of at least 1024');
  const tlsCert = optional(env, 'TLS_CERT');
  const tlsKey = optional(env, 'TLS_KEY');
  if ((tlsCert === null) !== (tlsKey === null)) {
    throw new ConfigError(tlsCert === null ? 'TLS_CERT' : 'TLS_KEY', 'must be set together with ' + (tlsCert === null ? 'TLS_KEY' : 'TLS_CERT'));
  }
  const workers = optional(env, 'SWITCHBOARD_WORKERS') ?? '1';
  if (workers !== '0' && workers !== '1') throw new ConfigError('SWITCHBOARD_WORKERS', 'must be 0 or 1');

  const providerEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || !PROVIDER_ENV.test(key)) continue;
    if (NON_PROVIDER_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    providerEnv[key] = value;
  }

  return Object.freeze({
    port: parsePort(env),
    host: optional(env, 'HOST') ?? '0.0.0.0',
    publicUrl: parseUrl('PUBLIC_URL', optional(env, 'PUBLIC_URL') ?? 'http://localhost:3000', ['http:', 'https:']),
    databaseUrl,
    ...parseDatabase(databaseUrl, cwd),
    dataDir,
    secretKey,
    smtpUrl,
    mailFrom,
    defaultCountry,
    adminEmail,
    adminPassword,
    logLevel,
    runWorkers: workers === '1',
    bodyLimit,
    tlsCert,
    tlsKey,
    providerEnv: Object.freeze(providerEnv),
    allowPrivateUrls: Object.freeze(cidrList(env, 'ALLOW_PRIVATE_URLS')),
    trustProxy: Object.freeze(cidrList(env, 'TRUST_PROXY')),
    metricsToken: optional(env, 'METRICS_TOKEN'),
    mediaStore: parseMediaStore(env),
    retention: {
      webhookLogDays: wholeNumber(env, 'RETENTION_WEBHOOK_LOG_DAYS', 30, 1),
      deadJobsDays: wholeNumber(env, 'RETENTION_DEAD_JOBS_DAYS', 30, 1),
      mediaDays: wholeNumber(env, 'RETENTION_MEDIA_DAYS', 0),
      sessionIdleMinutes: wholeNumber(env, 'SESSION_IDLE_MINUTES', 24 * 60, 5),
    },
    shutdownGraceMs: wholeNumber(env, 'SHUTDOWN_GRACE_SECONDS', 20, 1) * 1000,
    eventWebhookRetryMs: Object.freeze(retrySchedule(env, 'EVENT_WEBHOOK_RETRY_SCHEDULE')),
  });
}
