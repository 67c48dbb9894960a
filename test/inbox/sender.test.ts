/**
 * Issue 12, "who said what": each outbound message names its sender (a user, an API key, a
 * workflow, a system notification), resolved per page without a query per message; rows without
 * a recorded sender show none, and another tenant's API key never names a message here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/services/tenants.js';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, eventually, type Tenant, type TestApp } from '../helper.js';
import { signIn } from '../routing/support.js';

const OURS = '+15550117000';
const NOTIFY = '+15550117009';
const CUSTOMER = '+15550117101';
const WORKFLOW_CUSTOMER = '+15550117102';
const MOBILE = '+15550117199';
const THEIRS = '+15550127000';

type ApiMessage = { id: string; direction: string; body: string; sender: { kind: string; name: string } | null };

describe('message senders', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let zapierKey = '';
  let otherKey = { id: '', key: '' };
  let userSession: Awaited<ReturnType<typeof signIn>>;

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: unknown) => t.app.inject({ method, url: `/api/v1${url}`, headers, payload: payload as object });
  const thread = async (tenant: Tenant, remote: string) => {
    const conversationId = await eventually(async () => ((await api('GET', `/conversations?q=${encodeURIComponent(remote)}`, tenant.auth)).json().items as Array<{ id: string; remoteNumbers: string[] }>).find((c) => c.remoteNumbers.includes(remote))?.id);
    return (await api('GET', `/conversations/${conversationId}/messages`, tenant.auth)).json().items as ApiMessage[];
  };
  const senderOf = async (tenant: Tenant, remote: string, body: string) => (await thread(tenant, remote)).find((m) => m.body === body)?.sender;

  beforeAll(async () => {
    t = await createTestApp();
    acme = await createTestTenant(t.ctx, 'Acme Plumbing');
    other = await createTestTenant(t.ctx, 'Other Co');
    const { accountId } = await createAccountAndNumber(t.app, acme, { type: 'sandbox', number: OURS, credentials: { deliveryDelayMs: '10' } });
    expect((await api('POST', '/numbers', acme.auth, { number: NOTIFY, providerAccountId: accountId, systemNotification: true })).statusCode).toBe(201);
    await createAccountAndNumber(t.app, other, { type: 'sandbox', number: THEIRS, credentials: { deliveryDelayMs: '10' } });
    await createTestUser(t.ctx, acme.tenantId, { email: 'olivia@acme.test', name: 'Olivia Owner', role: 'owner', password: 'correct horse battery', extension: '1001', mobile: MOBILE });
    userSession = await signIn(t.app, 'olivia@acme.test', 'correct horse battery');
    zapierKey = (await createApiKey(t.ctx.db, acme.tenantId, 'Zapier bridge')).key;
    otherKey = await createApiKey(t.ctx.db, other.tenantId, 'Other Co secret integration');
  });
  afterAll(() => t.close());

  it('names the signed-in user who sent a reply', async () => {
    const sent = await api('POST', '/messages', userSession.headers, { from: OURS, to: CUSTOMER, body: 'From Olivia' });
    expect(sent.statusCode, sent.body).toBe(202);
    expect(await senderOf(acme, CUSTOMER, 'From Olivia')).toEqual({ kind: 'user', name: 'Olivia Owner' });
    expect((await api('GET', `/messages/${sent.json().id}`, acme.auth)).json().sender).toEqual({ kind: 'user', name: 'Olivia Owner' });
  });

  it('names the API key that sent a message, not the key that reads it', async () => {
    const sent = await api('POST', '/messages', { authorization: `Bearer ${zapierKey}` }, { from: OURS, to: CUSTOMER, body: 'From the bridge' });
    expect(sent.statusCode, sent.body).toBe(202);
    expect(await senderOf(acme, CUSTOMER, 'From the bridge')).toEqual({ kind: 'api_key', name: 'Zapier bridge' });
  });

  it('names the workflow that sent a message, including rows stored before senders were recorded', async () => {
    expect((await api('POST', '/contacts', acme.auth, { name: 'Ann Lee', phones: [WORKFLOW_CUSTOMER] })).statusCode).toBe(201);
    const template = (await api('POST', '/templates', acme.auth, { name: 'Thanks', body: 'Thanks, we got it' })).json();
    const workflow = await api('POST', '/workflows', acme.auth, { name: 'Confirm appointment', trigger: { type: 'message.received', bodyGlob: 'YES*' }, steps: [{ type: 'send_message', templateId: template.id }] });
    expect(workflow.statusCode, workflow.body).toBe(201);
    expect((await api('POST', '/sandbox/inbound', acme.auth, { from: WORKFLOW_CUSTOMER, to: OURS, body: 'YES please' })).statusCode).toBe(202);
    const message = await eventually(async () => (await thread(acme, WORKFLOW_CUSTOMER)).find((m) => m.body === 'Thanks, we got it'));
    expect(message.sender).toEqual({ kind: 'workflow', name: 'Confirm appointment' });
    // An older workflow send has no created_by; workflow_messages still names it.
    await t.ctx.db.updateTable('messages').set({ created_by: null }).where('id', '=', message.id).execute();
    expect(await senderOf(acme, WORKFLOW_CUSTOMER, 'Thanks, we got it')).toEqual({ kind: 'workflow', name: 'Confirm appointment' });
  });

  it('shows a system notification as such', async () => {
    const sent = await api('POST', '/notifications', acme.auth, { type: 'voicemail', extension: '1001', callerNumber: CUSTOMER });
    expect(sent.statusCode, sent.body).toBeLessThan(300);
    const messages = await thread(acme, MOBILE);
    expect(messages.filter((m) => m.direction === 'outbound').map((m) => m.sender)).toEqual([{ kind: 'system', name: 'System notification' }]);
  });

  it('shows no sender for inbound messages and for older rows that recorded none', async () => {
    expect((await api('POST', '/sandbox/inbound', acme.auth, { from: CUSTOMER, to: OURS, body: 'Thanks!' })).statusCode).toBe(202);
    const inbound = await eventually(async () => (await thread(acme, CUSTOMER)).find((m) => m.body === 'Thanks!'));
    expect(inbound.sender).toBeNull();
    const old = await api('POST', '/messages', acme.auth, { from: OURS, to: CUSTOMER, body: 'An old send' });
    await t.ctx.db.updateTable('messages').set({ created_by: null }).where('id', '=', old.json().id).execute();
    expect(await senderOf(acme, CUSTOMER, 'An old send')).toBeNull();
  });

  it("never names a message with another tenant's API key, even when its id is stored", async () => {
    const theirs = await api('POST', '/messages', { authorization: `Bearer ${otherKey.key}` }, { from: THEIRS, to: CUSTOMER, body: 'Their own send' });
    expect(theirs.statusCode, theirs.body).toBe(202);
    expect(await senderOf(other, CUSTOMER, 'Their own send')).toEqual({ kind: 'api_key', name: 'Other Co secret integration' });

    const ours = await api('POST', '/messages', acme.auth, { from: OURS, to: CUSTOMER, body: 'Forged sender' });
    await t.ctx.db.updateTable('messages').set({ created_by: otherKey.id }).where('id', '=', ours.json().id).execute();
    const messages = await thread(acme, CUSTOMER);
    expect(messages.find((m) => m.body === 'Forged sender')!.sender).toBeNull();
    expect(JSON.stringify(messages)).not.toContain('Other Co secret integration');
    expect(JSON.stringify((await api('GET', '/messages?limit=100', acme.auth)).json())).not.toContain('Other Co secret integration');
  });

  it('resolves the senders of a whole page in a fixed number of queries', async () => {
    for (let i = 0; i < 5; i += 1) expect((await api('POST', '/messages', userSession.headers, { from: OURS, to: CUSTOMER, body: `Batch ${i}` })).statusCode).toBe(202);
    const { sendersOf } = await import('../../src/services/inbox/message-senders.js');
    const rows = await t.ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', acme.tenantId).execute();
    let queries = 0;
    const counting = t.ctx.db.withPlugin({ transformQuery: (args) => ((queries += 1), args.node), transformResult: async (args) => args.result });
    const senders = await sendersOf(counting, rows);
    expect(rows.length).toBeGreaterThan(10);
    expect(queries).toBeLessThanOrEqual(4);
    expect([...senders.values()].filter((s) => s.name === 'Olivia Owner').length).toBeGreaterThanOrEqual(6);
  });
});
