/**
 * Issue 10, the low items: agents see and touch only what is routed to them, media URLs are
 * http(s) only, the dashboard is never framed, push subscriptions stay in their tenant, "Yes"
 * re-subscribes only the opted out, STOP variants are recognised, and retention deletes old rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectKeyword } from '../../src/services/routing/opt-outs.js';
import { applyRetention } from '../../src/services/retention.js';
import { createTenant, createUser, createApiKey } from '../../src/services/tenants.js';
import { createAccountAndNumber, createTestApp, eventually, type TestApp } from '../helper.js';
import { signIn, type Session } from '../routing/support.js';

describe('least privilege and compliance details', () => {
  let t: TestApp;
  let tenantId: string;
  let admin: { authorization: string };
  let agent: Session;
  let agentId: string;
  let mine: { numberId: string };
  let theirs: { numberId: string };
  const MINE = '+15005550101';
  const THEIRS = '+15005550102';

  beforeAll(async () => {
    t = await createTestApp();
    tenantId = (await createTenant(t.ctx.db, 'Least')).id;
    admin = { authorization: `Bearer ${(await createApiKey(t.ctx.db, tenantId, 'admin')).key}` };
    agentId = (await createUser(t.ctx.db, tenantId, { email: 'agent@least.test', name: 'Agent', role: 'agent', password: 'agent-password-1', sendPermission: 'number' })).id;
    await createUser(t.ctx.db, tenantId, { email: 'colleague@least.test', name: 'Colleague', role: 'agent', password: 'colleague-pass-1', mobile: '+15551110000' });
    const tenant = { tenantId, apiKey: '', auth: admin };
    mine = await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: MINE });
    const sandboxAccount = (await t.ctx.db.selectFrom('numbers').select('provider_account_id').where('id', '=', mine.numberId).executeTakeFirstOrThrow()).provider_account_id;
    const other = await t.app.inject({ method: 'POST', url: '/api/v1/numbers', headers: admin, payload: { number: THEIRS, providerAccountId: sandboxAccount } });
    theirs = { numberId: other.json().id };
    await t.app.inject({ method: 'PATCH', url: `/api/v1/numbers/${mine.numberId}`, headers: admin, payload: { destinations: { userIds: [agentId] } } });
    agent = await signIn(t.app, 'agent@least.test', 'agent-password-1');
  });
  afterAll(() => t.close());

  it('shows agents only the numbers routed to them, and colleagues without private details', async () => {
    const numbers = await t.app.inject({ method: 'GET', url: '/api/v1/numbers', headers: agent.headers });
    expect(numbers.json().items.map((n: { number: string }) => n.number)).toEqual([MINE]);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/numbers/${theirs.numberId}`, headers: agent.headers })).statusCode).toBe(404);
    const users = (await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: agent.headers })).json().items;
    const colleague = users.find((u: { name: string }) => u.name === 'Colleague');
    expect(colleague).toEqual({ id: expect.any(String), name: 'Colleague', role: 'agent', extension: null });
  });

  it('lets agents text from the sandbox only to numbers routed to them', async () => {
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: agent.headers, payload: { from: '+15551234567', to: THEIRS, body: 'hi' } });
    expect(refused.statusCode).toBe(403);
    const allowed = await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: agent.headers, payload: { from: '+15551234567', to: MINE, body: 'hi' } });
    expect(allowed.statusCode, allowed.body).toBe(202);
  });

  it('keeps agents from editing contacts of other people’s conversations', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: admin, payload: { from: '+15559990000', to: THEIRS, body: 'for the other line' } });
    const contact = await t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: admin, payload: { name: 'Other customer', phones: ['+15559990000'] } });
    const contactId = contact.json().id;
    await eventually(async () => (await t.ctx.db.selectFrom('conversation_contacts' as never).selectAll().execute()).length > 0);
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/v1/contacts/${contactId}`, headers: agent.headers, payload: { name: 'Changed' } });
    expect(edit.statusCode).toBe(403);
    const own = await t.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: agent.headers, payload: { name: 'Mine', phones: ['+15557770000'] } });
    const ownEdit = await t.app.inject({ method: 'PATCH', url: `/api/v1/contacts/${own.json().id}`, headers: agent.headers, payload: { name: 'Mine too' } });
    expect(ownEdit.statusCode).toBe(200);
  });

  it('refuses media URLs that are not http(s)', async () => {
    for (const url of ['file:///etc/passwd', 'gopher://x/', 'data:image/png;base64,AAAA']) {
      const send = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: admin, payload: { from: MINE, to: '+15551234567', media: [{ url }] } });
      expect(send.statusCode, url).toBe(400);
      const inbound = await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: admin, payload: { from: '+15551234567', to: MINE, media: [{ url }] } });
      expect(inbound.statusCode, url).toBe(400);
    }
  });

  it('sends a Content-Security-Policy that forbids framing', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/' });
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });

  it('never lets one tenant take over or remove another tenant’s push subscription', async () => {
    const endpoint = 'https://push.example.com/send/abc123';
    const keys = { p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM', auth: 'tBHItJI5svbpez7KI4CCXg' };
    const ours = await t.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: agent.headers, payload: { endpoint, keys } });
    expect(ours.statusCode, ours.body).toBe(201);
    const otherTenant = await createTenant(t.ctx.db, 'Other');
    await createUser(t.ctx.db, otherTenant.id, { email: 'intruder@other.test', name: 'I', role: 'owner', password: 'intruder-pass-1' });
    const intruder = await signIn(t.app, 'intruder@other.test', 'intruder-pass-1');
    const takeover = await t.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: intruder.headers, payload: { endpoint, keys } });
    expect(takeover.statusCode).toBe(409);
    await t.app.inject({ method: 'DELETE', url: '/api/v1/push/subscriptions', headers: intruder.headers, payload: { endpoint } });
    const rows = await t.ctx.db.selectFrom('push_subscriptions' as never).selectAll().execute();
    expect(rows).toHaveLength(1);
  });

  it('recognises STOP variants and opts back in on "Yes" only when opted out', async () => {
    expect(detectKeyword('Stop.')).toBe('opt_out');
    expect(detectKeyword('STOP ALL')).toBe('opt_out');
    expect(detectKeyword('opt-out')).toBe('opt_out');
    expect(detectKeyword('  stop!  ')).toBe('opt_out');
    expect(detectKeyword('Stop calling me at work')).toBeNull();
    const remote = '+15554443333';
    const outboundCount = async () => (await t.ctx.db.selectFrom('messages').select('id').where('direction', '=', 'outbound').where('to_numbers', 'like', `%${remote}%`).execute()).length;
    await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: admin, payload: { from: remote, to: MINE, body: 'Yes' } });
    await t.ctx.queue.drain();
    expect(await outboundCount()).toBe(0);
    await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: admin, payload: { from: remote, to: MINE, body: 'Stop.' } });
    await t.ctx.queue.drain();
    expect(await outboundCount()).toBe(1);
    await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: admin, payload: { from: remote, to: MINE, body: 'Yes' } });
    await t.ctx.queue.drain();
    expect(await outboundCount()).toBe(2);
  });

  it('deletes old diagnostics, dead jobs and expired sessions on the retention schedule', async () => {
    const old = new Date(Date.now() - 40 * 24 * 60 * 60_000).toISOString();
    await t.ctx.db.insertInto('webhook_log').values({ provider_type: 'twilio', method: 'POST', url: '/old', remote_ip: null, created_at: old, tenant_id: null, provider_account_id: null, verdict: 'refused', reason: 'old', http_status: 403 } as never).execute();
    await t.ctx.db.insertInto('jobs').values({ name: 'old.dead', payload: '{}', run_at: old, attempts: 8, max_attempts: 8, locked_by: null, locked_until: null, last_error: 'x', dead: 1, created_at: old, tenant_id: null }).execute();
    const deleted = await applyRetention(t.ctx);
    expect(deleted.webhookLog).toBeGreaterThanOrEqual(1);
    expect(deleted.deadJobs).toBe(1);
    expect(await t.ctx.db.selectFrom('webhook_log').select('id').where('url', '=', '/old').execute()).toHaveLength(0);
  });
});
