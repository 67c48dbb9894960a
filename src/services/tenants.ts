/** Tenants, users and API keys: used by the CLI, the first-run set-up and the REST API. */
import type { Db } from '../db/client.js';
import { now } from '../db/client.js';
import type { UserTable } from '../db/schema.js';
import { AppError } from '../errors.js';
import { hashPassword, randomToken, sha256Hex } from '../lib/crypto.js';
import { newId } from '../lib/ids.js';

export const ROLES = ['owner', 'admin', 'agent'] as const;
export type Role = (typeof ROLES)[number];
import { API_KEY_SCOPES } from '../plugins/route-scopes.js';

export { API_KEY_SCOPES };

export async function createTenant(db: Db, name: string): Promise<{ id: string; name: string }> {
  const trimmed = name.trim();
  if (!trimmed) throw new AppError('validation_error', 'tenant name must not be empty');
  const tenant = { id: newId('tn'), name: trimmed, settings: '{}', created_at: now() };
  await db.insertInto('tenants').values(tenant).execute();
  return { id: tenant.id, name: tenant.name };
}

/** Finds a tenant by id or by exact name (the CLI accepts either). */
export async function findTenant(db: Db, idOrName: string) {
  const tenant = await db.selectFrom('tenants').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst();
  if (!tenant) throw new AppError('not_found', `tenant "${idOrName}" was not found`);
  return tenant;
}

export interface UserInput {
  email: string;
  name?: string;
  role: Role;
  password?: string | null;
  extension?: string | null;
  mobile?: string | null;
  sendPermission?: UserTable['send_permission'];
  callerIds?: string[];
  groupIds?: string[];
}

export async function createUser(db: Db, tenantId: string, input: UserInput): Promise<UserTable> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new AppError('validation_error', `email "${input.email}" is not an email address`);
  if (!ROLES.includes(input.role)) throw new AppError('validation_error', `role must be one of ${ROLES.join(', ')}`);
  if (input.password !== undefined && input.password !== null && input.password.length < 8) {
    throw new AppError('validation_error', 'password must be at least 8 characters');
  }
  const taken = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  // The same answer whether the address is used here or in another organisation.
  if (taken) throw new AppError('conflict', `the email address ${email} cannot be used for a new user`);
  if (input.extension) {
    const clash = await db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('extension', '=', input.extension).executeTakeFirst();
    if (clash) throw new AppError('conflict', `extension ${input.extension} is already taken`);
  }
  const at = now();
  const user: UserTable = {
    id: newId('usr'),
    tenant_id: tenantId,
    email,
    name: input.name?.trim() || email.split('@')[0]!,
    role: input.role,
    password_hash: input.password ? await hashPassword(input.password) : null,
    extension: input.extension ?? null,
    mobile: input.mobile ?? null,
    send_permission: input.sendPermission ?? (input.role === 'agent' ? 'none' : 'sender_id'),
    caller_ids: JSON.stringify(input.callerIds ?? []),
    group_ids: JSON.stringify(input.groupIds ?? []),
    settings: '{}',
    created_at: at,
    updated_at: at,
  };
  await db.insertInto('users').values(user).execute();
  return user;
}

/**
 * A key acts with its creator's role, never above admin (`createdBy` null: the CLI, an operator
 * with the database in hand, acting as admin).
 */
export async function createApiKey(db: Db, tenantId: string, name: string, scopes: string[] = ['*'], createdBy: { userId: string | null; role: 'owner' | 'admin' | 'agent' } | null = null): Promise<{ id: string; key: string; name: string; scopes: string[]; prefix: string }> {
  for (const scope of scopes) {
    if (!(API_KEY_SCOPES as readonly string[]).includes(scope)) throw new AppError('validation_error', `scope "${scope}" is not one of ${API_KEY_SCOPES.join(', ')}`);
  }
  const prefix = randomToken(6).replace(/[-_]/g, 'x').slice(0, 8);
  const key = `sb_${prefix}_${randomToken(24)}`;
  const id = newId('key');
  await db
    .insertInto('api_keys')
    .values({ id, tenant_id: tenantId, name, key_hash: sha256Hex(key), prefix, scopes: JSON.stringify(scopes), created_at: now(), last_used_at: null, created_by: createdBy?.userId ?? null, role: createdBy ? (createdBy.role === 'agent' ? 'agent' : 'admin') : null })
    .execute();
  return { id, key, name, scopes, prefix };
}
