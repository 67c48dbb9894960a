/**
 * Issue 10: sign-in throttling that forwarded headers cannot bypass (3), API keys that act with
 * their creator's role and cannot touch owners (4), scopes enforced on every route (11), and the
 * low items about passwords, sessions and user emails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, createTenant, createUser } from '../../src/services/tenants.js';
import { createTestApp, createTestTenant, type Tenant, type TestApp } from '../helper.js';

describe('sign-in throttling', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    const tenant = await createTestTenant(t.ctx);
    await createUser(t.ctx.db, tenant.tenantId, { email: 'victim@example.com', name: 'Victim', role: 'admin', password: 'right-password-1' });
  });
  afterAll(() => t.close());

  const login = (email: string, password: string, forwardedFor?: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });

  it('does not believe X-Forwarded-For from an untrusted peer, and slows guessing on one account', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await login('victim@example.com', `guess-${i}`, `203.0.113.${i + 1}`)).statusCode);
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses).toContain(429);
    const blocked = await login('victim@example.com', 'right-password-1', '198.51.100.7');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json().error.code).toBe('rate_limited');
  });

  it('limits one address however many accounts it tries', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i += 1) statuses.push((await login(`nobody-${i}@example.com`, 'x', `192.0.2.${i + 1}`)).statusCode);
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });

  it('keeps the counters in the database, where every node sees them', async () => {
    const rows = await t.ctx.db.selectFrom('auth_throttle').selectAll().execute();
    expect(rows.some((row) => row.key === 'account:victim@example.com' && row.blocked_until)).toBe(true);
  });
});

describe('forwarded headers from a configured proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(() => t.close());

  it('uses the client address the trusted proxy reports', async () => {
    for (let i = 0; i < 21; i += 1) await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: `a${i}@example.com`, password: 'x' }, headers: { 'x-forwarded-for': '198.51.100.1' } });
    const other = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'fresh@example.com', password: 'x' }, headers: { 'x-forwarded-for': '198.51.100.2' } });
    expect(other.statusCode).toBe(401);
    const same = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'fresh2@example.com', password: 'x' }, headers: { 'x-forwarded-for': '198.51.100.1' } });
    expect(same.statusCode).toBe(429);
  });
});

describe('roles behind API keys, owners, passwords and sessions', () => {
  let t: TestApp;
  let tenantId: string;
  let ownerId: string;
  let adminId: string;

  const signIn = async (email: string, password: string) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    expect(response.statusCode, response.body).toBe(200);
    return { cookie: (response.headers['set-cookie'] as string).split(';')[0]!, 'x-csrf-token': response.json().csrfToken as string };
  };

  beforeAll(async () => {
    t = await createTestApp();
    tenantId = (await createTenant(t.ctx.db, 'Roles')).id;
    ownerId = (await createUser(t.ctx.db, tenantId, { email: 'owner@roles.test', name: 'Owner', role: 'owner', password: 'owner-password-1' })).id;
    adminId = (await createUser(t.ctx.db, tenantId, { email: 'admin@roles.test', name: 'Admin', role: 'admin', password: 'admin-password-1' })).id;
  });
  afterAll(() => t.close());

  it('an admin cannot take over the owner through an API key', async () => {
    const admin = await signIn('admin@roles.test', 'admin-password-1');
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: admin, payload: { name: 'takeover', scopes: ['*'] } });
    expect(created.statusCode).toBe(201);
    const key = { authorization: `Bearer ${created.json().key}` };
    const reset = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${ownerId}`, headers: key, payload: { password: 'stolen-password-1' } });
    expect(reset.statusCode).toBe(403);
    expect(reset.json().error.code).toBe('owner_required');
    const promote = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${adminId}`, headers: key, payload: { role: 'owner' } });
    expect(promote.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@roles.test', password: 'owner-password-1' } })).statusCode).toBe(200);
  });

  it('a key acts with its creator’s current role: demoting the person demotes the key, at once', async () => {
    const owner = await signIn('owner@roles.test', 'owner-password-1');
    const key = await createApiKey(t.ctx.db, tenantId, 'by admin', ['*'], { userId: adminId, role: 'admin' });
    const auth = { authorization: `Bearer ${key.key}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/provider-accounts', headers: auth })).statusCode).toBe(200);
    const demote = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${adminId}`, headers: owner, payload: { role: 'agent' } });
    expect(demote.statusCode, demote.body).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/provider-accounts', headers: auth });
    expect(after.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${adminId}`, headers: owner, payload: { role: 'admin' } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/provider-accounts', headers: auth })).statusCode).toBe(200);
  });

  it('a revoked key, and a key whose creator was removed, stop working on the next request', async () => {
    const owner = await signIn('owner@roles.test', 'owner-password-1');
    const revoked = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: owner, payload: { name: 'to revoke' } });
    const revokedAuth = { authorization: `Bearer ${revoked.json().key}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: revokedAuth })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${revoked.json().id}`, headers: owner })).statusCode).toBe(204);
    const afterRevoke = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: revokedAuth });
    expect(afterRevoke.statusCode).toBe(401);
    expect(afterRevoke.json().error.message).toMatch(/revoked or mistyped/);

    const leaverId = (await createUser(t.ctx.db, tenantId, { email: 'leaver@roles.test', name: 'Leaver', role: 'admin', password: 'leaver-password-1' })).id;
    const leaverKey = await createApiKey(t.ctx.db, tenantId, 'by leaver', ['*'], { userId: leaverId, role: 'admin' });
    const leaverAuth = { authorization: `Bearer ${leaverKey.key}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: leaverAuth })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${leaverId}`, headers: owner })).statusCode).toBe(204);
    const afterRemoval = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: leaverAuth });
    expect(afterRemoval.statusCode).toBe(401);
    expect(afterRemoval.json().error.message).toMatch(/was removed/);
  });

  it('changing your password needs the current one and signs out your other sessions', async () => {
    const first = await signIn('admin@roles.test', 'admin-password-1');
    const second = await signIn('admin@roles.test', 'admin-password-1');
    const without = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${adminId}`, headers: first, payload: { password: 'new-password-22' } });
    expect(without.statusCode).toBe(403);
    const wrong = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${adminId}`, headers: first, payload: { password: 'new-password-22', currentPassword: 'nope' } });
    expect(wrong.statusCode).toBe(403);
    const ok = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${adminId}`, headers: first, payload: { password: 'new-password-22', currentPassword: 'admin-password-1' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: first })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: second })).statusCode).toBe(401);
  });

  it('ends a session left idle longer than SESSION_IDLE_MINUTES', async () => {
    const idleId = (await createUser(t.ctx.db, tenantId, { email: 'idle@roles.test', name: 'Idle', role: 'agent', password: 'idle-password-1' })).id;
    const session = await signIn('idle@roles.test', 'idle-password-1');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: session })).statusCode).toBe(200);
    await t.ctx.db.updateTable('sessions').set({ last_seen_at: new Date(Date.now() - 25 * 60 * 60_000).toISOString() }).where('user_id', '=', idleId).execute();
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: session })).statusCode).toBe(401);
    expect(await t.ctx.db.selectFrom('sessions').select('id').where('user_id', '=', idleId).execute()).toHaveLength(0);
  });

  it('answers the same whether an email is taken here or in another organisation', async () => {
    const other = await createTenant(t.ctx.db, 'Elsewhere');
    await createUser(t.ctx.db, other.id, { email: 'someone@elsewhere.test', name: 'S', role: 'agent', password: 'x-password-1' });
    const key = { authorization: `Bearer ${(await createApiKey(t.ctx.db, tenantId, 'k')).key}` };
    const elsewhere = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: key, payload: { email: 'someone@elsewhere.test', name: 'X', role: 'agent', password: 'password-123' } });
    const here = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: key, payload: { email: 'admin@roles.test', name: 'X', role: 'agent', password: 'password-123' } });
    expect(elsewhere.statusCode).toBe(here.statusCode);
    expect(elsewhere.json().error.message.replace('someone@elsewhere.test', 'E')).toBe(here.json().error.message.replace('admin@roles.test', 'E'));
  });
});

describe('API-key scopes on every route of the OpenAPI document', () => {
  let t: TestApp;
  let tenant: Tenant;
  const SCOPES = ['messages:read', 'messages:send', 'inbox:write', 'contacts:write', 'admin'] as const;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTestTenant(t.ctx);
    for (const scope of SCOPES) keys[scope] = (await createApiKey(t.ctx.db, tenant.tenantId, scope, [scope])).key;
  });
  afterAll(() => t.close());

  it('declares a scope for every route and refuses keys without it', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { 'x-required-scope'?: string }>> };
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), scope: op['x-required-scope'] })))
      .filter((op) => !['/api/v1/auth/login', '/api/v1/auth/setup'].includes(op.path) && op.path !== '/api/v1/events');
    expect(operations.length).toBeGreaterThan(40);
    const undeclared = operations.filter((op) => !op.scope);
    expect(undeclared).toEqual([]);
    const wrong: string[] = [];
    for (const op of operations) {
      const url = op.path.replace(/\{[^}]+\}/g, 'x_missing');
      for (const scope of SCOPES) {
        const response = await t.app.inject({ method: op.method as 'GET', url, headers: { authorization: `Bearer ${keys[scope]}` }, payload: op.method === 'GET' || op.method === 'DELETE' ? undefined : {} });
        const refused = response.statusCode === 403 && response.json().error?.code === 'scope_required';
        if (refused === (scope === op.scope)) wrong.push(`${op.method} ${op.path} with ${scope}: ${response.statusCode}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('a read-only key cannot inject inbound, mark read, assign or link contacts', async () => {
    const auth = { authorization: `Bearer ${keys['messages:read']}` };
    for (const [method, url] of [['POST', '/api/v1/sandbox/inbound'], ['POST', '/api/v1/conversations/x/read'], ['POST', '/api/v1/conversations/x/assign'], ['POST', '/api/v1/contacts/x/link']] as const) {
      const response = await t.app.inject({ method, url, headers: auth, payload: {} });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
    }
  });
});
