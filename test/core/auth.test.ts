import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createTestTenant, createTestUser, type Tenant, type TestApp } from '../helper.js';

describe('sign-in, sessions and CSRF', () => {
  let harness: TestApp;
  let tenant: Tenant;

  beforeAll(async () => {
    harness = await createTestApp({ env: { ADMIN_EMAIL: 'owner@example.com', ADMIN_PASSWORD: 'correct horse battery' } });
    tenant = await createTestTenant(harness.ctx);
    await createTestUser(harness.ctx, tenant.tenantId, { email: 'agent@example.com', role: 'agent', password: 'agent-password-1' });
  });
  afterAll(() => harness.close());

  const login = (email: string, password: string) => harness.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

  it('signs in with an HttpOnly SameSite cookie and requires the CSRF token on writes', async () => {
    const response = await login('agent@example.com', 'agent-password-1');
    expect(response.statusCode).toBe(200);
    const cookie = response.headers['set-cookie'] as string;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const session = cookie.split(';')[0]!;
    const { csrfToken } = response.json();
    const me = await harness.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: session } });
    expect(me.json().user).toMatchObject({ email: 'agent@example.com', role: 'agent' });
    expect(me.json().user).not.toHaveProperty('passwordHash');
    const noToken = await harness.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: session } });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('csrf_failed');
    const out = await harness.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: session, 'x-csrf-token': csrfToken } });
    expect(out.statusCode).toBe(204);
    expect((await harness.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: session } })).statusCode).toBe(401);
  });

  it('keeps agents out of admin resources', async () => {
    const response = await login('agent@example.com', 'agent-password-1');
    const session = (response.headers['set-cookie'] as string).split(';')[0]!;
    const accounts = await harness.app.inject({ method: 'GET', url: '/api/v1/provider-accounts', headers: { cookie: session } });
    expect(accounts.statusCode).toBe(403);
    expect(accounts.json().error.code).toBe('admin_required');
  });

  it('created the first owner from ADMIN_EMAIL only when asked', async () => {
    // The harness does not run bootstrap; the CLI/start path does (see cli.test.ts).
    const wrong = await login('agent@example.com', 'wrong password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_credentials');
  });

  it('rate-limits sign-in attempts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await login('nobody@example.com', 'guess')).statusCode);
    expect(statuses).toContain(429);
  });

  it('stores passwords hashed with scrypt and API keys hashed', async () => {
    const user = await harness.ctx.db.selectFrom('users').select('password_hash').where('email', '=', 'agent@example.com').executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$/);
    const keys = await harness.ctx.db.selectFrom('api_keys').select('key_hash').execute();
    expect(keys.map((k) => k.key_hash)).not.toContain(tenant.apiKey);
  });
});
