/**
 * What authenticating an API request reads, cached per node (issue 11: every API send read the
 * key and its creator's role). The key by its hash: call `ctx.apiKeys.changed(hash)` after
 * revoking it. The creator's role by tenant and user: call `ctx.userRoles.changed(userRoleKey(…))`
 * after changing a person's role or removing them. Keys are never edited, and an unknown hash is
 * not kept (hashes come from request input), so creating a key needs no invalidation.
 */
import type { Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import type { UserTable } from '../db/schema.js';
import { pairKey, splitPairKey } from './node-cache.js';

export interface ApiKeyEntry {
  id: string;
  tenantId: string;
  /** Shared by every request the key makes: never modified. */
  scopes: readonly string[];
  /** The person whose role the key acts with; null for keys made by the CLI. */
  createdBy: string | null;
}

const apiKeyByHash = prepared<{ hash: string }>()((db, p) => db.selectFrom('api_keys').select(['id', 'tenant_id', 'scopes', 'created_by']).where('key_hash', '=', p.hash));

export async function loadApiKey(db: Db, hash: string): Promise<ApiKeyEntry | undefined> {
  const row = await apiKeyByHash.first(db, { hash });
  if (!row) return undefined;
  return { id: row.id, tenantId: row.tenant_id, scopes: Object.freeze(JSON.parse(row.scopes) as string[]), createdBy: row.created_by };
}

const roleOfUser = prepared<{ tenantId: string; userId: string }>()((db, p) => db.selectFrom('users').select('role').where('tenant_id', '=', p.tenantId).where('id', '=', p.userId));

export function userRoleKey(tenantId: string, userId: string): string {
  return pairKey(tenantId, userId);
}

/** The person's current role; null once they were removed. */
export async function loadUserRole(db: Db, key: string): Promise<UserTable['role'] | null> {
  const [tenantId, userId] = splitPairKey(key);
  return (await roleOfUser.first(db, { tenantId, userId }))?.role ?? null;
}
