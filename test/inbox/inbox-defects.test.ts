/**
 * Issue 12, the defects that make agents miss messages, on the API side: the Failed filter
 * covers `undelivered`, phone numbers are found in any format, a send stuck in retries says so,
 * the thread knows when the customer opted out (and the refusal names no internal ids), and
 * compose learns which numbers the caller may send from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator } from '../../src/providers/twilio/twilio.emulator.js';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, eventually, type Tenant, type TestApp } from '../helper.js';
import { signIn, TWILIO } from '../routing/support.js';

const LINE = '+14155550100';
const OTHER_LINE = '+14155550101';
const FAILED_CUSTOMER = '+15559876543';
const UNDELIVERED_CUSTOMER = '+15559870001';
const HAPPY_CUSTOMER = '+14155550177';

describe('inbox defects: failed filter, phone search, retries, opt-out state, sendable numbers', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let twilio: Awaited<ReturnType<typeof startTwilioEmulator>>;
  let lineId: string;
  let otherLineId: string;

  beforeAll(async () => {
    // No automatic receipts: each test sends the receipts it needs.
    twilio = await startTwilioEmulator({
      ...TWILIO,
      callbackDelayMs: 0,
      deliver: async (url, init) => {
        const target = new URL(url);
        const response = await harness.app.inject({ method: init.method as 'POST', url: target.pathname + target.search, headers: init.headers, payload: init.body });
        return { status: response.statusCode, body: response.body };
      },
    });
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    const line = await createAccountAndNumber(harness.app, tenant, { type: 'twilio', credentials: TWILIO, baseUrl: twilio.baseUrl, number: LINE, mps: 100 });
    lineId = line.numberId;
    const other = await api('POST', '/numbers', { number: OTHER_LINE, providerAccountId: line.accountId, mps: 100 });
    expect(other.statusCode).toBe(201);
    otherLineId = other.json().id;
  });
  afterAll(async () => {
    await harness.close();
    await twilio.close();
  });

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = tenant.auth) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers, payload: payload as object });

  /** Sends from LINE and answers with the given Twilio receipt status. */
  const sendWithReceipt = async (to: string, status: 'undelivered' | 'failed' | 'delivered') => {
    const accepted = await api('POST', '/messages', { from: LINE, to, body: `hello ${to}` });
    expect(accepted.statusCode).toBe(202);
    const id = accepted.json().id as string;
    const sent = await eventually(async () => {
      const message = (await api('GET', `/messages/${id}`)).json();
      return message.providerMessageId ? message : null;
    });
    const request = twilio.requests.find((r) => new URLSearchParams(r.text).get('To') === to)!;
    const callback = new URLSearchParams(request.text).get('StatusCallback')!;
    const receipt = twilio.buildStatus({ webhookUrl: callback, providerMessageId: sent.providerMessageId, status, errorCode: status === 'delivered' ? undefined : '30003' });
    expect((await twilio.deliver(receipt)).status).toBe(200);
    await eventually(async () => (await api('GET', `/messages/${id}`)).json().status === status && true);
    return { id, conversationId: accepted.json().conversationId as string };
  };

  it('lists conversations and log rows whose message was undelivered under the Failed filter (failed,undelivered)', async () => {
    const undelivered = await sendWithReceipt(UNDELIVERED_CUSTOMER, 'undelivered');
    const failed = await sendWithReceipt(FAILED_CUSTOMER, 'failed');
    const happy = await sendWithReceipt(HAPPY_CUSTOMER, 'delivered');

    const conversations = (await api('GET', '/conversations?status=failed,undelivered')).json().items.map((c: { id: string }) => c.id);
    expect(conversations).toEqual(expect.arrayContaining([undelivered.conversationId, failed.conversationId]));
    expect(conversations).not.toContain(happy.conversationId);
    // A single status still means exactly that status.
    expect((await api('GET', '/conversations?status=failed')).json().items.map((c: { id: string }) => c.id)).toEqual([failed.conversationId]);

    const logs = (await api('GET', '/messages?status=failed,undelivered')).json().items.map((m: { id: string }) => m.id);
    expect(logs.sort()).toEqual([undelivered.id, failed.id].sort());
    const csv = await harness.app.inject({ method: 'GET', url: '/api/v1/messages?status=failed,undelivered&format=csv', headers: tenant.auth });
    expect(csv.body.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it.each(['(555) 987-6543', '555-987-6543', '+1 555 987 6543', '555.987.65', '987-6543'])('finds the conversation and its log rows by the phone number typed as %s', async (typed) => {
    const conversations = (await api('GET', `/conversations?q=${encodeURIComponent(typed)}`)).json().items;
    expect(conversations.map((c: { remoteNumbers: string[] }) => c.remoteNumbers[0])).toContain(FAILED_CUSTOMER);
    expect(conversations.map((c: { remoteNumbers: string[] }) => c.remoteNumbers[0])).not.toContain(HAPPY_CUSTOMER);
    const byNumber = (await api('GET', `/messages?number=${encodeURIComponent(typed)}`)).json().items;
    expect(byNumber.length).toBeGreaterThan(0);
    expect(byNumber.every((m: { to: string }) => m.to === FAILED_CUSTOMER)).toBe(true);
    const byText = (await api('GET', `/messages?q=${encodeURIComponent(typed)}`)).json().items;
    expect(byText.map((m: { to: string }) => m.to)).toContain(FAILED_CUSTOMER);
  });

  it('shows attempts, the next attempt and the last failure of a send the carrier keeps refusing for now', async () => {
    twilio.failNext(503, { code: 20500, message: 'Service temporarily unavailable', status: 503 }, { 'retry-after': '600' });
    const accepted = await api('POST', '/messages', { from: LINE, to: '+14155550188', body: 'stuck in retries' });
    expect(accepted.statusCode).toBe(202);
    const message = await eventually(async () => {
      const body = (await api('GET', `/messages/${accepted.json().id}`)).json();
      return body.retry ? body : null;
    });
    expect(message.status).toBe('sending');
    expect(message.retry.attempts).toBe(1);
    expect(message.retry.maxAttempts).toBeGreaterThan(1);
    expect(message.retry.lastError).toMatch(/unavailable|503/i);
    const wait = Date.parse(message.retry.nextAttemptAt) - Date.now();
    expect(wait).toBeGreaterThan(500_000);
    expect(wait).toBeLessThanOrEqual(600_000);
    // The thread carries the same fields; a delivered message has none.
    const thread = (await api('GET', `/conversations/${accepted.json().conversationId}/messages`)).json().items;
    expect(thread[0].retry.attempts).toBe(1);
    const delivered = (await api('GET', `/messages?number=${encodeURIComponent(HAPPY_CUSTOMER)}`)).json().items[0];
    expect(delivered.retry).toBeNull();
  });

  it('tells the thread the customer opted out, and refuses a send in words without internal ids or timestamps', async () => {
    const { conversationId } = await sendWithReceipt('+14155550166', 'delivered');
    expect((await api('GET', `/conversations/${conversationId}`)).json().optOut).toBeNull();
    const inbound = await twilio.deliver(twilio.buildInbound({ webhookUrl: (await api('GET', '/provider-accounts')).json().items[0].webhookUrls.inbound, from: '+14155550166', to: LINE, body: 'STOP' }));
    expect(inbound.status).toBe(200);
    const state = await eventually(async () => (await api('GET', `/conversations/${conversationId}`)).json().optOut);
    expect(state).toMatchObject({ phone: '+14155550166', reason: 'opted_out', scope: 'number', source: 'keyword' });
    expect(Date.parse(state.since)).not.toBeNaN();

    const refused = await api('POST', '/messages', { from: LINE, to: '+14155550166', body: 'one more offer' });
    expect(refused.statusCode).toBe(409);
    const text = refused.json().error.message as string;
    expect(text).toContain('+14155550166');
    expect(text).toMatch(/STOP/);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT|msg_|opt_|SM[0-9a-f]{32}/);
  });

  it('marks which numbers the caller may send from, with their label and provider', async () => {
    const agent = await createTestUser(harness.ctx, tenant.tenantId, { email: 'agent@inbox.test', name: 'Agent', role: 'agent', password: 'agent-password', extension: '2001', sendPermission: 'number' });
    expect((await api('PATCH', `/numbers/${lineId}`, { destinations: { userIds: [agent.id] } })).statusCode).toBe(200);
    const session = await signIn(harness.app, 'agent@inbox.test', 'agent-password');
    const mine = (await api('GET', '/numbers', undefined, session.headers)).json().items as Array<{ id: string; canSend: boolean; label: string; providerType: string }>;
    expect(mine.find((n) => n.id === lineId)).toMatchObject({ canSend: true, label: 'twilio test', providerType: 'twilio' });
    // The other line is either not listed to the agent at all or listed as not sendable.
    expect(mine.find((n) => n.id === otherLineId)?.canSend ?? false).toBe(false);
    // The send guard agrees with what compose was told.
    expect((await api('POST', '/messages', { from: OTHER_LINE, to: HAPPY_CUSTOMER, body: 'x' }, session.headers)).statusCode).toBe(403);
    const admin = (await api('GET', '/numbers')).json().items as Array<{ canSend: boolean }>;
    expect(admin.every((n) => n.canSend)).toBe(true);
  });
});
