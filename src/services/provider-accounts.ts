/**
 * Provider accounts: credentials sealed at rest, webhook URLs, env accounts (F6) and one adapter
 * instance per account, rebuilt when the account changes.
 */
import type { Logger } from 'pino';
import { AppError, notFound } from '../errors.js';
import { randomToken, type SecretBox } from '../lib/crypto.js';
import { newId } from '../lib/ids.js';
import { now, type Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import type { EventBus } from './events.js';
import { NodeCache, pairKey, splitPairKey } from './node-cache.js';
import type { ProviderAccountTable } from '../db/schema.js';
import { credentialsFromEnv, CredentialsError, envName, validateCredentials } from '../providers/core/credentials.js';
import { PROVIDERS, providerModule } from '../providers/core/registry.js';
import type { AdapterDeps, ProviderAdapter, ProviderCapabilities, ProviderModule } from '../providers/core/types.js';
import { generateSandboxCredentials } from '../providers/sandbox/sandbox.provider.js';

export interface AccountInput {
  type: string;
  name: string;
  credentials: Record<string, unknown>;
  baseUrl?: string | null;
}

const accountOfType = prepared<{ type: string; id: string }>()((db, p) => db.selectFrom('provider_accounts').selectAll().where('type', '=', p.type).where('id', '=', p.id));
const accountOfTenant = prepared<{ tenantId: string; id: string }>()((db, p) => db.selectFrom('provider_accounts').selectAll().where('tenant_id', '=', p.tenantId).where('id', '=', p.id));
const environmentAccount = prepared<{ type: string }>()((db, p) => db.selectFrom('provider_accounts').selectAll().where('type', '=', p.type).where('source', '=', 'env'));

export class ProviderAccounts {
  private readonly adapters = new Map<string, { updatedAt: string; adapter: ProviderAdapter }>();
  /** Webhook resolution runs for every inbound request: accounts found are kept, keyed `type\nid` (`type\n` for the environment's). */
  private readonly webhookAccounts: NodeCache<ProviderAccountTable | undefined>;
  /** Every send reads its account: kept by `tenantId\nid`. */
  private readonly tenantAccounts: NodeCache<ProviderAccountTable | undefined>;

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly publicUrl: string,
    private readonly deps: AdapterDeps,
    private readonly log: Logger,
    bus: EventBus,
  ) {
    this.webhookAccounts = new NodeCache('webhook_accounts', bus, (key) => this.loadForWebhook(key), { keep: (account) => account !== undefined });
    this.tenantAccounts = new NodeCache('tenant_accounts', bus, (key) => this.loadOfTenant(key), { keep: (account) => account !== undefined });
  }

  /** Drops what the caches hold about an account; call after its row changed or went. */
  private forget(account: Pick<ProviderAccountTable, 'id' | 'tenant_id' | 'type' | 'source'>): void {
    this.adapters.delete(account.id);
    this.tenantAccounts.changed(pairKey(account.tenant_id, account.id));
    this.webhookAccounts.changed(pairKey(account.type, account.id));
    if (account.source === 'env') this.webhookAccounts.changed(pairKey(account.type, ''));
  }

  module(type: string): ProviderModule {
    const module = providerModule(type);
    if (!module) throw new AppError('validation_error', `type "${type}" is not a provider type; use one of ${[...PROVIDERS.keys()].join(', ')}`);
    return module;
  }

  /** The URL the provider must call for inbound messages and status callbacks. */
  webhookUrl(account: Pick<ProviderAccountTable, 'id' | 'type' | 'source' | 'webhook_token'>): string {
    const base = `${this.publicUrl}/webhook/${account.type}/sms${account.source === 'env' ? '' : `/${account.id}`}`;
    const manifest = providerModule(account.type)?.manifest;
    const query = [(manifest?.capabilities.signedWebhooks ?? true) ? '' : `token=${account.webhook_token}`, manifest?.webhookQuery ?? ''].filter(Boolean).join('&');
    return query ? `${base}?${query}` : base;
  }

  private cleanCredentials(module: ProviderModule, credentials: Record<string, unknown>): Record<string, string> {
    try {
      const clean = validateCredentials(module.manifest, credentials);
      module.validate?.(clean);
      return module.manifest.type === 'sandbox' ? generateSandboxCredentials(clean) : clean;
    } catch (error) {
      if (error instanceof CredentialsError) throw new AppError('validation_error', error.message);
      throw error;
    }
  }

  async create(tenantId: string, input: AccountInput): Promise<ProviderAccountTable> {
    const module = this.module(input.type);
    const row: ProviderAccountTable = {
      id: newId('pa'),
      tenant_id: tenantId,
      type: input.type,
      name: input.name,
      credentials: this.secrets.seal(this.cleanCredentials(module, input.credentials)),
      base_url: normaliseBaseUrl(input.baseUrl ?? null),
      source: 'api',
      webhook_token: randomToken(24),
      created_at: now(),
      updated_at: now(),
    };
    await this.db.insertInto('provider_accounts').values(row).execute();
    return row;
  }

  async update(tenantId: string, id: string, patch: Partial<Omit<AccountInput, 'type'>>): Promise<ProviderAccountTable> {
    const account = await this.get(tenantId, id);
    if (account.source === 'env') throw new AppError('conflict', `provider account ${id} comes from the environment; change its ${account.type.toUpperCase()}_* variables instead`);
    const module = this.module(account.type);
    const changes: Partial<ProviderAccountTable> = { updated_at: now() };
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.baseUrl !== undefined) changes.base_url = normaliseBaseUrl(patch.baseUrl);
    if (patch.credentials !== undefined) {
      // A patch may carry only the fields that change; secrets are never sent back to be re-sent.
      const merged = { ...this.credentials(account), ...patch.credentials };
      changes.credentials = this.secrets.seal(this.cleanCredentials(module, merged));
    }
    await this.db.updateTable('provider_accounts').set(changes).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    this.forget(account);
    return { ...account, ...changes };
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const account = await this.get(tenantId, id);
    const inUse = await this.db.selectFrom('numbers').select('id').where('tenant_id', '=', tenantId).where('provider_account_id', '=', account.id).executeTakeFirst();
    if (inUse) throw new AppError('conflict', `provider account ${id} still has numbers; move or delete them first`);
    await this.db.deleteFrom('provider_accounts').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    this.forget(account);
  }

  async get(tenantId: string, id: string): Promise<ProviderAccountTable> {
    const row = await this.find(tenantId, id);
    if (!row) throw notFound('provider account', id);
    return row;
  }

  /** The tenant's account, or undefined (cached: treat the row as read-only). */
  find(tenantId: string, id: string): Promise<ProviderAccountTable | undefined> {
    return this.tenantAccounts.get(pairKey(tenantId, id));
  }

  private loadOfTenant(key: string): Promise<ProviderAccountTable | undefined> {
    const [tenantId, id] = splitPairKey(key);
    return accountOfTenant.first(this.db, { tenantId, id });
  }

  list(tenantId: string): Promise<ProviderAccountTable[]> {
    return this.db.selectFrom('provider_accounts').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
  }

  /** Webhook resolution: by id for app accounts, by type for the environment's account. */
  findForWebhook(type: string, accountId: string | undefined): Promise<ProviderAccountTable | undefined> {
    return this.webhookAccounts.get(pairKey(type, accountId ?? ''));
  }

  private loadForWebhook(key: string): Promise<ProviderAccountTable | undefined> {
    const [type, accountId] = splitPairKey(key);
    return accountId ? accountOfType.first(this.db, { type, id: accountId }) : environmentAccount.first(this.db, { type });
  }

  /** What this account can carry: its type's capabilities, narrowed by its credentials where the type says so. */
  capabilities(account: ProviderAccountTable): ProviderCapabilities {
    const module = this.module(account.type);
    return module.capabilitiesFor ? module.capabilitiesFor(this.credentials(account)) : module.manifest.capabilities;
  }

  credentials(account: ProviderAccountTable): Record<string, string> {
    return this.secrets.open<Record<string, string>>(account.credentials);
  }

  adapter(account: ProviderAccountTable): ProviderAdapter {
    const cached = this.adapters.get(account.id);
    if (cached && cached.updatedAt === account.updated_at) return cached.adapter;
    const adapter = this.module(account.type).create(
      {
        id: account.id,
        tenantId: account.tenant_id,
        type: account.type,
        credentials: this.credentials(account),
        baseUrl: account.base_url,
        webhookUrl: this.webhookUrl(account),
      },
      this.deps,
    );
    this.adapters.set(account.id, { updatedAt: account.updated_at, adapter });
    return adapter;
  }

  /** Creates or refreshes the accounts configured by `<PROVIDER>_*` variables (F6). */
  async syncFromEnvironment(tenantId: string, env: Readonly<Record<string, string>>): Promise<string[]> {
    const synced: string[] = [];
    for (const module of PROVIDERS.values()) {
      if (module.manifest.type === 'sandbox') continue;
      const found = credentialsFromEnv(module.manifest, env);
      if (!found) continue;
      validateFromEnv(module, found.credentials);
      const id = `env_${module.manifest.type}`;
      const existing = await this.db.selectFrom('provider_accounts').selectAll().where('id', '=', id).executeTakeFirst();
      const values = { credentials: this.secrets.seal(found.credentials), base_url: normaliseBaseUrl(found.baseUrl), updated_at: now() };
      if (existing) {
        await this.db.updateTable('provider_accounts').set(values).where('id', '=', id).execute();
      } else {
        await this.db
          .insertInto('provider_accounts')
          .values({ id, tenant_id: tenantId, type: module.manifest.type, name: `${module.manifest.displayName} (environment)`, source: 'env', webhook_token: randomToken(24), created_at: now(), ...values })
          .execute();
      }
      this.forget({ id, tenant_id: existing?.tenant_id ?? tenantId, type: module.manifest.type, source: 'env' });
      synced.push(module.manifest.type);
      this.log.info({ provider: module.manifest.type }, 'provider account loaded from the environment');
    }
    return synced;
  }
}

/** Runs the type's own credential check, naming the variable (`credentials.config…` → `HTTP_PROVIDER_CONFIG…`). */
function validateFromEnv(module: ProviderModule, credentials: Record<string, string>): void {
  try {
    module.validate?.(credentials);
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    throw new CredentialsError(error.message.replace(/^credentials\.(\w+)/, (_match, key: string) => envName(module.manifest.envPrefix, key)));
  }
}

function normaliseBaseUrl(value: string | null): string | null {
  if (value === null || value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('validation_error', `baseUrl "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('validation_error', `baseUrl must be http(s), got "${value}"`);
  return value.replace(/\/+$/, '');
}
