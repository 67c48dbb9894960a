import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, type Tenant, type TestApp } from '../helper.js';

let t: TestApp;
let tenant: Tenant;
beforeAll(async () => {
  t = await createTestApp({ workers: false });
  tenant = await createTestTenant(t.ctx, 'Audit Co');
});
afterAll(async () => t.close());

const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url: `/api/v1${url}`, headers: tenant.auth, payload });
const log = async (query = '') => (await api('GET', `/audit-log${query}`)).json();

describe('audit log', () => {
  it('records admin actions with actor, address, target and redacted changes', async () => {
    const { accountId, numberId } = await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: '+15550109999' });
    await api('PATCH', `/numbers/${numberId}`, { mps: 5 });
    const user = await api('POST', '/users', { email: 'agent@example.com', name: 'Agent', role: 'agent', password: 'hunter2hunter2' });
    expect(user.statusCode, user.body).toBe(201);
    await api('PATCH', `/users/${user.json().id}`, { role: 'admin' });
    const key = await api('POST', '/api-keys', { name: 'CRM' });
    await api('DELETE', `/api-keys/${key.json().id}`);
    const group = await api('POST', '/groups', { name: 'Front desk' });
    const optOut = await api('POST', '/opt-outs', { phone: '+15557771234' });
    await api('DELETE', `/opt-outs/${optOut.json().id}`);
    await api('PATCH', '/settings/compliance', { helpText: 'Call us' });
    await api('PATCH', `/provider-accounts/${accountId}`, { name: 'Renamed sandbox' });

    const items = (await log('?limit=100')).items as Array<{ action: string; target: { type: string; id: string; label: string | null }; actor: { type: string; name: string }; sourceIp: string; changes: Record<string, unknown> }>;
    const actions = items.map((i) => i.action).reverse();
    expect(actions).toEqual([
      'provider_account.created', 'number.created', 'number.updated', 'user.created', 'user.updated', 'api_key.created', 'api_key.deleted',
      'group.created', 'opt_out.created', 'opt_out.deleted', 'tenant_setting.updated', 'provider_account.updated',
    ]);
    const roleChange = items.find((i) => i.action === 'user.updated')!;
    expect(roleChange).toMatchObject({ target: { type: 'user', id: user.json().id, label: 'agent@example.com' }, actor: { type: 'api_key', name: 'API key "test"' }, sourceIp: '127.0.0.1' });
    expect(roleChange.changes).toMatchObject({ request: { role: 'admin' }, before: { role: 'agent' } });
    const text = JSON.stringify(items);
    expect(text).not.toContain('hunter2hunter2');
    expect(text).not.toContain(key.json().key);
    expect(items.find((i) => i.action === 'user.created')!.changes).toMatchObject({ request: { password: '[redacted]' } });
    expect(items.find((i) => i.action === 'provider_account.updated')!.changes).toMatchObject({ before: { name: 'sandbox test' }, request: { name: 'Renamed sandbox' } });
    expect(items.find((i) => i.action === 'group.created')!.target).toMatchObject({ id: group.json().id, label: 'Front desk' });
  });

  it('does not record refused writes', async () => {
    const before = (await log('?limit=500')).items.length;
    expect((await api('POST', '/users', { email: 'not-an-email', role: 'agent' })).statusCode).toBe(400);
    expect((await log('?limit=500')).items.length).toBe(before);
  });

  it('filters by action, target and time, pages with a cursor, and exports CSV', async () => {
    const users = await log('?action=user.*');
    expect(users.items.map((i: { action: string }) => i.action).sort()).toEqual(['user.created', 'user.updated']);
    const byTarget = await log(`?targetType=api_key`);
    expect(byTarget.items).toHaveLength(2);
    expect((await log(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items).toEqual([]);
    const first = await log('?limit=3');
    const second = await log(`?limit=3&cursor=${first.nextCursor}`);
    expect(second.items[0].id).not.toBe(first.items[2].id);
    expect(Date.parse(second.items[0].createdAt)).toBeLessThanOrEqual(Date.parse(first.items[2].createdAt));
    const csv = await api('GET', '/audit-log?format=csv&action=user.*');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('id,createdAt,actorType,actorId,actorName,sourceIp,action,targetType,targetId,targetLabel,changes');
    expect(lines).toHaveLength(3);
    expect(csv.body).not.toContain('hunter2hunter2');
  });

  it('is for owners only, and other tenants see nothing', async () => {
    const admin = await createTestUser(t.ctx, tenant.tenantId, { email: 'boss@example.com', role: 'admin', password: 'password123' });
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: 'password123' } });
    const refused = await t.app.inject({ method: 'GET', url: '/api/v1/audit-log', cookies: { sb_session: login.cookies.find((c) => c.name === 'sb_session')!.value } });
    expect(refused.statusCode).toBe(403);
    const other = await createTestTenant(t.ctx, 'Other');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit-log', headers: other.auth })).json().items).toEqual([]);
  });

  it('deletes entries older than the retention setting', async () => {
    await t.ctx.db.updateTable('audit_log').set({ created_at: new Date(Date.now() - 40 * 86_400_000).toISOString() }).where('tenant_id', '=', tenant.tenantId).where('action', '=', 'group.created').execute();
    expect((await log('?action=group.created')).items).toHaveLength(1);
    await api('PATCH', '/tenant', { auditRetentionDays: 30 });
    expect((await log('?action=group.created')).items).toHaveLength(0);
    expect((await log('?action=tenant.updated')).items[0].changes).toMatchObject({ auditRetentionDays: { from: 365, to: 30 } });
  });
});
