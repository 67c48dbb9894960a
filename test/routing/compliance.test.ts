import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routingDb } from '../../src/services/routing/tables.js';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, eventually, type Tenant, type TestApp } from '../helper.js';
import { startTwilio, TWILIO } from './support.js';

const LINE = '+14155550100';
const SECOND_LINE = '+14155550101';
const NOTIFY = '+14155550190';
const CUSTOMER = '+14155550123';

describe('compliance: opt-out keywords, carrier opt-outs and system notifications', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let twilio: Awaited<ReturnType<typeof startTwilio>>;
  let webhookUrl: string;
  let accountId: string;

  beforeAll(async () => {
    twilio = await startTwilio(() => harness.app);
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    const line = await createAccountAndNumber(harness.app, tenant, { type: 'twilio', credentials: TWILIO, baseUrl: twilio.baseUrl, number: LINE, mps: 100 });
    webhookUrl = line.webhookUrl;
    accountId = line.accountId;
    for (const [number, systemNotification] of [[SECOND_LINE, false], [NOTIFY, true]] as const) {
      const created = await harness.app.inject({ method: 'POST', url: '/api/v1/numbers', headers: tenant.auth, payload: { number, providerAccountId: accountId, systemNotification, mps: 100 } });
      expect(created.statusCode).toBe(201);
    }
  });
  afterAll(async () => {
    await harness.close();
    await twilio.close();
  });

  const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: { ...tenant.auth, ...headers }, payload: payload as object });
  const sentTo = (phone: string) => twilio.requests.map((r) => new URLSearchParams(r.text)).filter((form) => form.get('To') === phone);
  const text = async (from: string, to: string, body: string) => {
    const answer = await twilio.deliver(twilio.buildInbound({ webhookUrl, from, to, body }));
    expect(answer.status).toBe(200);
    await harness.ctx.queue.drain();
  };

  it('STOP opts the sender out with one confirmation; the next send is refused with 409 before any provider; START restores it', async () => {
    await text(CUSTOMER, LINE, '  stop ');
    const confirmations = await eventually(async () => sentTo(CUSTOMER).length >= 1 && sentTo(CUSTOMER));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sentTo(CUSTOMER)).toHaveLength(1);
    expect(confirmations[0]!.get('From')).toBe(LINE);
    expect(confirmations[0]!.get('Body')).toMatch(/unsubscribed/i);

    const requestsBefore = twilio.requests.length;
    const refused = await api('POST', '/messages', { from: LINE, to: CUSTOMER, body: 'Special offer!' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('opted_out');
    expect(refused.json().error.message).toContain(CUSTOMER);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(twilio.requests.length).toBe(requestsBefore);
    // The opt-out is per number by default: the other line may still text.
    expect((await api('POST', '/messages', { from: SECOND_LINE, to: CUSTOMER, body: 'From the other line' })).statusCode).toBe(202);

    const list = (await api('GET', '/opt-outs')).json();
    expect(list.items).toEqual([expect.objectContaining({ phone: CUSTOMER, number: LINE, scope: 'number', source: 'keyword' })]);

    await text(CUSTOMER, LINE, 'Start');
    await eventually(async () => sentTo(CUSTOMER).some((form) => /resubscribed/i.test(form.get('Body') ?? '')));
    expect((await api('GET', '/opt-outs')).json().items).toEqual([]);
    const allowed = await api('POST', '/messages', { from: LINE, to: CUSTOMER, body: 'Welcome back' });
    expect(allowed.statusCode).toBe(202);
    await eventually(async () => sentTo(CUSTOMER).some((form) => form.get('Body') === 'Welcome back'));
  });

  it('treats every opt-out keyword as a whole message only, and answers HELP with the tenant help text', async () => {
    const patched = await api('PATCH', '/settings/compliance', { helpText: 'Acme Dental: call 555-0100 for help.' });
    expect(patched.statusCode).toBe(200);
    const keywords = ['STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit', 'REVOKE', 'opt out'];
    for (const [index, keyword] of keywords.entries()) {
      const phone = `+1415555020${index}`;
      await text(phone, LINE, keyword);
      const refused = await api('POST', '/messages', { from: LINE, to: phone, body: 'hi' });
      expect(refused.statusCode, keyword).toBe(409);
    }
    await text('+14155550299', LINE, 'please stop calling me at work');
    expect((await api('POST', '/messages', { from: LINE, to: '+14155550299', body: 'sorry' })).statusCode).toBe(202);

    await text('+14155550298', LINE, 'help');
    await eventually(async () => sentTo('+14155550298').some((form) => form.get('Body') === 'Acme Dental: call 555-0100 for help.'));
  });

  it('opts out of the whole tenant when the tenant setting says so', async () => {
    expect((await api('PATCH', '/settings/compliance', { optOutScope: 'tenant' })).statusCode).toBe(200);
    const phone = '+14155550301';
    // Sent to before (so this node has looked the phone up), then opted out by keyword.
    expect((await api('POST', '/messages', { from: SECOND_LINE, to: phone, body: 'before' })).statusCode).toBe(202);
    await text(phone, LINE, 'STOP');
    for (const from of [LINE, SECOND_LINE]) {
      const refused = await api('POST', '/messages', { from, to: phone, body: 'hi' });
      expect(refused.statusCode).toBe(409);
    }
    await api('PATCH', '/settings/compliance', { optOutScope: 'number' });
  });

  it('marks a recipient opted out when the carrier refuses with its opt-out code (Twilio 21610)', async () => {
    const phone = '+14155550302';
    twilio.failNext(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 });
    const first = await api('POST', '/messages', { from: LINE, to: phone, body: 'hello?' });
    expect(first.statusCode).toBe(202);
    const failed = await eventually(async () => {
      const message = (await api('GET', `/messages/${first.json().id}`)).json();
      return message.status === 'failed' && message;
    });
    expect(failed.error.code).toBe('21610');
    const before = twilio.requests.length;
    const second = await api('POST', '/messages', { from: LINE, to: phone, body: 'hello again?' });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('opted_out');
    expect(twilio.requests.length).toBe(before);
    const csv = await api('GET', '/opt-outs?format=csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\n')[0]).toBe('id,phone,scope,number,source,detail,createdAt');
    expect(csv.body).toMatch(/'\+14155550302,number,'\+14155550100,carrier,twilio 21610/);
  });

  it('honours a contact\'s allowSms=false the same way', async () => {
    const contact = await api('POST', '/contacts', { name: 'No Texts Please', phones: ['(415) 555-0303'], defaultCountry: 'US', allowSms: false });
    expect(contact.statusCode).toBe(201);
    const before = twilio.requests.length;
    const refused = await api('POST', '/messages', { from: LINE, to: '+14155550303', body: 'hi' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('opted_out');
    expect(twilio.requests.length).toBe(before);

    // A contact who allowed SMS until now: the very next send is refused.
    const later = await api('POST', '/contacts', { name: 'Changes Their Mind', phones: ['+14155550305'], allowSms: true });
    expect((await api('POST', '/messages', { from: LINE, to: '+14155550305', body: 'first' })).statusCode).toBe(202);
    expect((await api('PATCH', `/contacts/${later.json().id}`, { allowSms: false })).statusCode).toBe(200);
    const refusedNow = await api('POST', '/messages', { from: LINE, to: '+14155550305', body: 'second' });
    expect(refusedNow.statusCode).toBe(409);
    expect(refusedNow.json().error.message).toMatch(/Changes Their Mind/);
  });

  it('lets admins add and remove opt-outs by hand; agents may not', async () => {
    expect((await api('POST', '/messages', { from: SECOND_LINE, to: '+14155550304', body: 'before' })).statusCode).toBe(202);
    const added = await api('POST', '/opt-outs', { phone: '415 555 0304', defaultCountry: 'US' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ phone: '+14155550304', scope: 'tenant', source: 'admin' });
    expect((await api('POST', '/opt-outs', { phone: '+14155550304' })).statusCode).toBe(409);
    expect((await api('POST', '/messages', { from: SECOND_LINE, to: '+14155550304', body: 'hi' })).statusCode).toBe(409);
    expect((await api('DELETE', `/opt-outs/${added.json().id}`)).statusCode).toBe(204);
    expect((await api('POST', '/messages', { from: SECOND_LINE, to: '+14155550304', body: 'hi' })).statusCode).toBe(202);
    expect((await api('POST', '/opt-outs', { phone: 'not a phone' })).statusCode).toBe(400);
  });

  it('texts a voicemail notification to the extension\'s mobile from the notification number, using the tenant template', async () => {
    await createTestUser(harness.ctx, tenant.tenantId, { email: 'vm@example.com', role: 'agent', extension: '2001', mobile: '+14155550401' });
    const template = await api('PUT', '/settings/notification-template', { template: 'VM for {{ extension }} from {{ caller_name | default: caller_number }} ({{ duration }}): {{ transcription }}', maxSegments: 2 });
    expect(template.statusCode).toBe(200);
    const transcription = 'Hi it is Jo from the garage, your car is ready to collect. '.repeat(12);
    const sent = await api('POST', '/notifications', { type: 'voicemail', extension: '2001', callerNumber: '+14155550402', callerName: 'Jo Garage', durationSeconds: 75, transcription });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toMatchObject({ from: NOTIFY, to: '+14155550401', segments: 2 });
    expect(sent.json().body).toMatch(/^VM for 2001 from Jo Garage \(1 min 15 s\): Hi it is Jo from the garage/);
    expect(sent.json().body.endsWith('…')).toBe(true);
    const form = await eventually(async () => sentTo('+14155550401')[0]);
    expect(form.get('From')).toBe(NOTIFY);
    expect(form.get('Body')).toBe(sent.json().body);
    // It is a normal message in the logs.
    const logs = (await api('GET', `/messages?number=${encodeURIComponent(NOTIFY)}`)).json();
    expect(logs.items.map((m: { id: string }) => m.id)).toContain(sent.json().id);

    const short = await api('POST', '/notifications', { type: 'voicemail', extension: '2001', callerNumber: '+14155550402' });
    expect(short.json().body).toBe('VM for 2001 from +14155550402 ():');
    expect((await api('PUT', '/settings/notification-template', { template: '{% if %}' })).json().error.code).toBe('invalid_template');
    expect((await api('POST', '/notifications', { type: 'voicemail', extension: '9999', callerNumber: '+14155550402' })).statusCode).toBe(400);
    expect((await api('POST', '/notifications', { type: 'fax', extension: '2001', callerNumber: '+14155550402' })).statusCode).toBe(400);
  });

  it('answers texts to a notification number once that it is not monitored, and nobody can converse from it', async () => {
    await text('+14155550501', NOTIFY, 'Thanks! Call me back?');
    await text('+14155550501', NOTIFY, 'Hello??');
    await eventually(async () => sentTo('+14155550501').length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const answers = sentTo('+14155550501');
    expect(answers).toHaveLength(1);
    expect(answers[0]!.get('From')).toBe(NOTIFY);
    expect(answers[0]!.get('Body')).toMatch(/not monitored/);
    const refused = await api('POST', '/messages', { from: NOTIFY, to: '+14155550501', body: 'Sure' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('number_not_allowed');
    const rows = await routingDb(harness.ctx.db).selectFrom('auto_replies').selectAll().where('phone', '=', '+14155550501').execute();
    expect(rows).toHaveLength(1);
  });
});
