/**
 * Issue 12, conversation lifecycle: open, pending, resolved and snoozed-until; a new inbound
 * message reopens; list filter and counts by status; bulk resolve, assign and mark read; agents
 * cannot touch conversations they cannot see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, eventually, type Tenant, type TestApp } from '../helper.js';
import { signIn } from '../routing/support.js';

const OURS = '+15550108000';
const OTHER = '+15550108001';
const CUSTOMERS = ['+15550109001', '+15550109002', '+15550109003'];

describe('conversation status: lifecycle, reopen on inbound, filters, counts and bulk actions', () => {
  let t: TestApp;
  let tenant: Tenant;
  const ids: string[] = [];
  let hidden = '';

  const api = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = tenant.auth) => t.app.inject({ method, url: `/api/v1${url}`, headers, payload: payload as object });
  const text = async (from: string, to: string, body: string) => {
    const response = await api('POST', '/sandbox/inbound', { from, to, body });
    expect(response.statusCode).toBeLessThan(300);
  };
  const conversationOf = async (remote: string) =>
    eventually(async () => ((await api('GET', `/conversations?q=${encodeURIComponent(remote)}`)).json().items as Array<{ id: string; remoteNumbers: string[] }>).find((c) => c.remoteNumbers.includes(remote))?.id);

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTestTenant(t.ctx);
    const { accountId } = await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: OURS, credentials: { deliveryDelayMs: '10' } });
    expect((await api('POST', '/numbers', { number: OTHER, providerAccountId: accountId })).statusCode).toBe(201);
    for (const customer of CUSTOMERS) {
      await text(customer, OURS, `hello from ${customer}`);
      ids.push(await conversationOf(customer));
    }
    await text('+15550109999', OTHER, 'on the other line');
    hidden = await conversationOf('+15550109999');
  });
  afterAll(() => t.close());

  it('starts open, resolves, and reopens when the customer writes again', async () => {
    expect((await api('GET', `/conversations/${ids[0]}`)).json()).toMatchObject({ status: 'open', snoozedUntil: null });
    const resolved = await api('POST', `/conversations/${ids[0]}/status`, { status: 'resolved' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toEqual({ id: ids[0], status: 'resolved', snoozedUntil: null });
    expect((await api('GET', `/conversations/${ids[0]}`)).json().status).toBe('resolved');
    // Our own reply does not reopen it; the customer's next message does.
    expect((await api('POST', '/messages', { from: OURS, to: CUSTOMERS[0], body: 'Done, thanks!' })).statusCode).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await api('GET', `/conversations/${ids[0]}`)).json().status).toBe('resolved');
    await text(CUSTOMERS[0]!, OURS, 'Actually, one more thing');
    await eventually(async () => (await api('GET', `/conversations/${ids[0]}`)).json().status === 'open');
  });

  it('snoozes until a future time, reads as open once that time has passed, and reopens on inbound', async () => {
    const until = new Date(Date.now() + 3600_000).toISOString();
    const snoozed = await api('POST', `/conversations/${ids[1]}/status`, { status: 'snoozed', snoozedUntil: until });
    expect(snoozed.json()).toEqual({ id: ids[1], status: 'snoozed', snoozedUntil: until });
    expect((await api('GET', '/conversations?state=snoozed')).json().items.map((c: { id: string }) => c.id)).toEqual([ids[1]]);
    expect((await api('GET', '/conversations?state=open')).json().items.map((c: { id: string }) => c.id)).not.toContain(ids[1]);
    // Time passes (the stored wake-up time moves into the past): it is open again, with no job.
    await t.ctx.db.updateTable('conversations').set({ snoozed_until: new Date(Date.now() - 1000).toISOString() }).where('id', '=', ids[1]!).execute();
    expect((await api('GET', `/conversations/${ids[1]}`)).json()).toMatchObject({ status: 'open', snoozedUntil: null });
    expect((await api('GET', '/conversations?state=open')).json().items.map((c: { id: string }) => c.id)).toContain(ids[1]);
    await api('POST', `/conversations/${ids[1]}/status`, { status: 'snoozed', snoozedUntil: until });
    await text(CUSTOMERS[1]!, OURS, 'Are you there?');
    await eventually(async () => (await api('GET', `/conversations/${ids[1]}`)).json().status === 'open');
  });

  it('refuses a snooze without a future time, and a time with another status, in words', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ status: 'snoozed' }, /needs snoozedUntil/],
      [{ status: 'snoozed', snoozedUntil: new Date(Date.now() - 60_000).toISOString() }, /must be a time in the future/],
      [{ status: 'snoozed', snoozedUntil: '2999-01-01T00:00:00Z' }, /more than a year ahead/],
      [{ status: 'resolved', snoozedUntil: new Date(Date.now() + 60_000).toISOString() }, /only goes with status "snoozed"/],
      [{ status: 'closed' }, /status/],
    ];
    for (const [body, message] of cases) {
      const response = await api('POST', `/conversations/${ids[2]}/status`, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.message).toMatch(message);
    }
    expect((await api('POST', '/conversations/cv_missing/status', { status: 'resolved' })).statusCode).toBe(404);
  });

  it('counts and filters by status, and applies bulk resolve, assign and mark read', async () => {
    await api('POST', `/conversations/${ids[2]}/status`, { status: 'pending' });
    expect((await api('GET', '/conversations/counts')).json()).toEqual({ open: 3, pending: 1, resolved: 0, snoozed: 0 });
    expect((await api('GET', '/conversations?state=pending')).json().items.map((c: { id: string }) => c.id)).toEqual([ids[2]]);

    const resolved = await api('POST', '/conversations/bulk', { ids: [ids[0], ids[1], 'cv_missing'], action: 'resolve' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toEqual({ changed: [ids[0], ids[1]].sort(), notFound: ['cv_missing'] });
    expect((await api('GET', '/conversations/counts')).json()).toEqual({ open: 1, pending: 1, resolved: 2, snoozed: 0 });

    const owner = await createTestUser(t.ctx, tenant.tenantId, { email: 'lead@status.test', name: 'Lead', role: 'owner', password: 'lead-password' });
    await api('POST', '/conversations/bulk', { ids, action: 'assign', assignedUserId: owner.id });
    for (const id of ids) expect((await api('GET', `/conversations/${id}`)).json().assignedUserId).toBe(owner.id);
    expect((await api('POST', '/conversations/bulk', { ids, action: 'assign', assignedUserId: 'us_nobody' })).statusCode).toBe(400);
    expect((await api('POST', '/conversations/bulk', { ids, action: 'resolve', assignedUserId: owner.id })).statusCode).toBe(400);

    expect(((await api('GET', '/conversations?unread=true')).json().items as unknown[]).length).toBeGreaterThan(0);
    await api('POST', '/conversations/bulk', { ids: [...ids, hidden], action: 'read' });
    expect((await api('GET', '/conversations?unread=true')).json().items).toEqual([]);
  });

  it('keeps agents to the conversations they can see', async () => {
    await createTestUser(t.ctx, tenant.tenantId, { email: 'agent@status.test', name: 'Agent', role: 'agent', password: 'agent-password', extension: '3001' });
    const numbers = (await api('GET', '/numbers')).json().items as Array<{ id: string; number: string }>;
    const agent = (await api('GET', '/users')).json().items.find((u: { email: string }) => u.email === 'agent@status.test');
    await t.app.inject({ method: 'PATCH', url: `/api/v1/numbers/${numbers.find((n) => n.number === OURS)!.id}`, headers: tenant.auth, payload: { destinations: { userIds: [agent.id] } } });
    const session = await signIn(t.app, 'agent@status.test', 'agent-password');
    expect((await api('POST', `/conversations/${hidden}/status`, { status: 'resolved' }, session.headers)).statusCode).toBe(404);
    const bulk = await api('POST', '/conversations/bulk', { ids: [ids[0], hidden], action: 'reopen' }, session.headers);
    expect(bulk.json()).toEqual({ changed: [ids[0]], notFound: [hidden] });
    expect((await api('GET', `/conversations/${hidden}`)).json().status).toBe('open');
    const counts = (await api('GET', '/conversations/counts', undefined, session.headers)).json();
    expect(counts.open + counts.pending + counts.resolved + counts.snoozed).toBe(3);
  });
});
