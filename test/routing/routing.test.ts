import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG } from '../../src/providers/testing/emulator.js';
import { createApiKey } from '../../src/services/tenants.js';
import { routingDb } from '../../src/services/routing/tables.js';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, eventually, type Tenant, type TestApp } from '../helper.js';
import { flattenParts, openEventStream, parseMime, signIn, startSmtpServer, startTwilio, TWILIO, type Session } from './support.js';

const LINE = '+14155550100';
const OTHER_LINE = '+14155550199';
const CUSTOMER = '+14155550111';
const PASSWORD = 'correct horse battery';

describe('routing: destinations, email copies, access and permissions', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let twilio: Awaited<ReturnType<typeof startTwilio>>;
  let baseUrl: string;
  let lineId: string;
  let webhookUrl: string;
  const users: Record<string, { id: string; session: Session }> = {};

  beforeAll(async () => {
    smtp = await startSmtpServer();
    twilio = await startTwilio(() => harness.app);
    harness = await createTestApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Switchboard <switchboard@example.com>' } });
    tenant = await createTestTenant(harness.ctx);
    const line = await createAccountAndNumber(harness.app, tenant, { type: 'twilio', credentials: TWILIO, baseUrl: twilio.baseUrl, number: LINE, mps: 100 });
    lineId = line.numberId;
    webhookUrl = line.webhookUrl;
    const other = await harness.app.inject({ method: 'POST', url: '/api/v1/numbers', headers: tenant.auth, payload: { number: OTHER_LINE, providerAccountId: line.accountId, destinations: { extensions: ['1003'] } } });
    expect(other.statusCode).toBe(201);
    const senderId = await harness.app.inject({ method: 'POST', url: '/api/v1/numbers', headers: tenant.auth, payload: { number: 'ACME', providerAccountId: line.accountId } });
    expect(senderId.statusCode).toBe(201);
    const routed = await harness.app.inject({ method: 'PATCH', url: `/api/v1/numbers/${lineId}`, headers: tenant.auth, payload: { destinations: { extensions: ['1001', '1002', '1004'], emails: ['ops@example.com'] } } });
    expect(routed.statusCode).toBe(200);

    const people = [
      { key: 'alice', extension: '1001', sendPermission: 'number' as const },
      { key: 'bob', extension: '1002', sendPermission: 'number' as const },
      { key: 'carol', extension: '1003', sendPermission: 'number' as const },
      { key: 'dave', extension: '1004', sendPermission: 'none' as const },
    ];
    for (const person of people) {
      const user = await createTestUser(harness.ctx, tenant.tenantId, { email: `${person.key}@example.com`, name: person.key, role: 'agent', password: PASSWORD, extension: person.extension, sendPermission: person.sendPermission });
      users[person.key] = { id: user.id, session: await signIn(harness.app, `${person.key}@example.com`, PASSWORD) };
    }
    // Bob opts in to email copies himself (a self-editable setting).
    const optIn = await harness.app.inject({ method: 'PATCH', url: `/api/v1/users/${users.bob!.id}`, headers: users.bob!.session.headers, payload: { emailCopies: true } });
    expect(optIn.statusCode).toBe(200);
    expect(optIn.json().emailCopies).toBe(true);

    await harness.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(harness.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await harness.close();
    await twilio.close();
    await smtp.close();
  });

  const as = (who: string) => users[who]!.session.headers;
  const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: unknown) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers, payload: payload as object });

  let conversationId: string;

  it('delivers an inbound MMS to both extensions\' event streams and as one email with the image attached', async () => {
    const streams = { alice: await openEventStream(baseUrl, users.alice!.session.cookie), bob: await openEventStream(baseUrl, users.bob!.session.cookie), carol: await openEventStream(baseUrl, users.carol!.session.cookie) };
    try {
      const webhook = twilio.buildInbound({ webhookUrl, from: CUSTOMER, to: LINE, body: 'Photo <b>attached</b> & "more"', media: [{ contentType: 'image/png', data: TINY_PNG }] });
      const delivered = await twilio.deliver(webhook);
      expect(delivered.status).toBe(200);
      const message = await eventually(() => harness.ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'inbound').where('from_number', '=', CUSTOMER).executeTakeFirst());
      conversationId = message.conversation_id;

      for (const who of ['alice', 'bob'] as const) {
        const event = await eventually(async () => streams[who].events.find((e) => e.type === 'message.received' && e.data.id === message.id));
        expect(event.data).toMatchObject({ conversationId, from: CUSTOMER });
      }
      // Carol has no access to this number: she gets nothing about it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(streams.carol.events.filter((e) => e.data?.id === message.id || e.data?.conversationId === conversationId)).toEqual([]);

      const mail = await eventually(async () => smtp.received.length >= 1 && smtp.received);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(smtp.received).toHaveLength(1);
      expect(mail[0]!.to.sort()).toEqual(['bob@example.com', 'ops@example.com']);
      const parsed = parseMime(mail[0]!.raw);
      const parts = flattenParts(parsed);
      const text = parts.find((p) => p.contentType === 'text/plain')!.body.toString('utf8');
      const html = parts.find((p) => p.contentType === 'text/html')!.body.toString('utf8');
      const image = parts.find((p) => p.contentType === 'image/png')!;
      expect(text).toContain(`From: ${CUSTOMER}`);
      expect(text).toContain(`To: ${LINE}`);
      expect(text).toContain('Photo <b>attached</b> & "more"');
      expect(text).toContain(`http://switchboard.test/inbox/${conversationId}`);
      expect(text).toMatch(/Replies to this email are not delivered/);
      expect(html).toContain('Photo &lt;b&gt;attached&lt;/b&gt; &amp; &quot;more&quot;');
      expect(html).not.toContain('<b>attached</b>');
      expect(image.headers['content-disposition']).toMatch(/attachment/);
      expect(image.body.equals(TINY_PNG)).toBe(true);
      expect(parsed.headers['auto-submitted']).toBe('auto-generated');

      const copy = await eventually(() => routingDb(harness.ctx.db).selectFrom('email_copies').selectAll().where('message_id', '=', message.id).where('status', '=', 'sent').executeTakeFirst());
      expect(copy.attempts).toBe(1);
    } finally {
      Object.values(streams).forEach((s) => s.close());
    }
  });

  it('shows a number\'s conversations only to users with access, and refuses sends from it to others with 403', async () => {
    const aliceList = (await inject('GET', '/conversations', as('alice'))).json();
    expect(aliceList.items.map((c: { id: string }) => c.id)).toContain(conversationId);
    const carolList = (await inject('GET', '/conversations', as('carol'))).json();
    expect(carolList.items.map((c: { id: string }) => c.id)).not.toContain(conversationId);
    expect((await inject('GET', `/conversations/${conversationId}`, as('carol'))).statusCode).toBe(404);
    const carolLogs = (await inject('GET', '/messages', as('carol'))).json();
    expect(carolLogs.items.filter((m: { conversationId: string }) => m.conversationId === conversationId)).toEqual([]);

    const before = twilio.requests.length;
    const refused = await inject('POST', '/messages', as('carol'), { from: LINE, to: CUSTOMER, body: 'hello from carol' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('number_not_allowed');
    const replyRefused = await inject('POST', `/conversations/${conversationId}/messages`, as('carol'), { body: 'sneaky' });
    expect(replyRefused.statusCode).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(twilio.requests.length).toBe(before);
  });

  it('sends a reply from the conversation\'s own number', async () => {
    const before = twilio.requests.length;
    const sent = await inject('POST', `/conversations/${conversationId}/messages`, as('alice'), { body: 'Thanks, got it' });
    expect(sent.statusCode).toBe(202);
    expect(sent.json().conversationId).toBe(conversationId);
    await eventually(async () => twilio.requests.length > before);
    const form = new URLSearchParams(twilio.requests[twilio.requests.length - 1]!.text);
    expect(form.get('From')).toBe(LINE);
    expect(form.get('To')).toBe(CUSTOMER);
    expect(form.get('Body')).toBe('Thanks, got it');
  });

  it('refuses an agent whose send permission is "none" with 403 send_permission_required', async () => {
    const refused = await inject('POST', '/messages', as('dave'), { from: LINE, to: CUSTOMER, body: 'can I?' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'send_permission_required' });
    // Dave still sees the number's conversations: routing gives access, not send permission.
    expect((await inject('GET', `/conversations/${conversationId}`, as('dave'))).statusCode).toBe(200);
  });

  it('allows the sender ID only with the sender_id permission, through caller IDs', async () => {
    const grant = await inject('PATCH', `/users/${users.alice!.id}`, tenant.auth, { callerIds: [LINE, 'ACME'], defaultCallerId: LINE });
    expect(grant.statusCode).toBe(200);
    expect(grant.json()).toMatchObject({ callerIds: [LINE, 'ACME'], defaultCallerId: LINE });
    const refused = await inject('POST', '/messages', as('alice'), { from: 'ACME', to: CUSTOMER, body: 'from the brand' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('sender_id_not_allowed');
    expect((await inject('PATCH', `/users/${users.alice!.id}`, tenant.auth, { sendPermission: 'sender_id' })).statusCode).toBe(200);
    const allowed = await inject('POST', '/messages', as('alice'), { from: 'ACME', to: CUSTOMER, body: 'from the brand' });
    expect(allowed.statusCode).toBe(202);
    const badCaller = await inject('PATCH', `/users/${users.alice!.id}`, tenant.auth, { callerIds: ['+14155550177'] });
    expect(badCaller.statusCode).toBe(400);
    expect(badCaller.json().error.message).toMatch(/not a number of this tenant/);
  });

  it('gives a caller ID to an agent: they may then send from (and see) that number', async () => {
    const before = await inject('POST', '/messages', as('carol'), { from: LINE, to: '+14155550112', body: 'first try' });
    expect(before.statusCode).toBe(403);
    expect((await inject('PATCH', `/users/${users.carol!.id}`, tenant.auth, { callerIds: [LINE] })).statusCode).toBe(200);
    const after = await inject('POST', '/messages', as('carol'), { from: LINE, to: '+14155550112', body: 'second try' });
    expect(after.statusCode).toBe(202);
  });

  it('enforces API key scopes on sending and reading', async () => {
    const readOnly = await createApiKey(harness.ctx.db, tenant.tenantId, 'reader', ['messages:read']);
    const headers = { authorization: `Bearer ${readOnly.key}` };
    const send = await inject('POST', '/messages', headers, { from: LINE, to: CUSTOMER, body: 'nope' });
    expect(send.statusCode).toBe(403);
    expect(send.json().error.code).toBe('scope_required');
    expect((await inject('GET', '/conversations', headers)).statusCode).toBe(200);
    const notify = await inject('POST', '/notifications', headers, { type: 'voicemail', extension: '1001', callerNumber: CUSTOMER });
    expect(notify.statusCode).toBe(403);
    const sendOnly = await createApiKey(harness.ctx.db, tenant.tenantId, 'sender', ['messages:send']);
    const read = await inject('GET', '/messages', { authorization: `Bearer ${sendOnly.key}` });
    expect(read.statusCode).toBe(403);
  });

  it('delivers internal messages between extensions live, with no provider and a kept history', async () => {
    const stream = await openEventStream(baseUrl, users.bob!.session.cookie);
    const carolStream = await openEventStream(baseUrl, users.carol!.session.cookie);
    try {
      // Sends queued by earlier tests must reach the provider first, or they would be counted here.
      await eventually(async () => (await harness.ctx.db.selectFrom('jobs').select('id').where('name', '=', 'message.send').where('dead', '=', 0).execute()).length === 0);
      const before = twilio.requests.length;
      const sent = await inject('POST', '/messages', as('alice'), { from: '1001', to: '1002', body: 'Lunch at 12?' });
      expect(sent.statusCode).toBe(202);
      expect(sent.json()).toMatchObject({ status: 'delivered', encoding: 'GSM-7', segments: 1 });
      const event = await eventually(async () => stream.events.find((e) => e.type === 'message.received' && e.data.id === sent.json().id));
      expect(event.data).toMatchObject({ from: '1001', body: 'Lunch at 12?', internal: true });

      const message = (await inject('GET', `/messages/${sent.json().id}`, as('bob'))).json();
      expect(message).toMatchObject({ from: '1001', to: '1002', status: 'delivered', providerType: null });
      expect(message.history.map((h: { status: string }) => h.status)).toEqual(['sent', 'delivered']);
      const bobInbox = (await inject('GET', '/conversations', as('bob'))).json();
      expect(bobInbox.items.find((c: { id: string }) => c.id === sent.json().conversationId)).toMatchObject({ ourNumber: 'internal', remoteNumbers: ['1001', '1002'] });

      // Bob answers in the same thread through the conversation endpoint.
      const answer = await inject('POST', `/conversations/${sent.json().conversationId}/messages`, as('bob'), { body: 'Sure' });
      expect(answer.statusCode).toBe(202);
      expect(answer.json().conversationId).toBe(sent.json().conversationId);

      // Carol is not part of it.
      expect((await inject('GET', `/messages/${sent.json().id}`, as('carol'))).statusCode).toBe(404);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(carolStream.events.filter((e) => e.data?.id === sent.json().id)).toEqual([]);
      expect(twilio.requests.length).toBe(before);

      const spoofed = await inject('POST', '/messages', as('alice'), { from: '1002', to: '1003', body: 'I am bob' });
      expect(spoofed.statusCode).toBe(403);
      expect(spoofed.json().error.code).toBe('extension_not_allowed');
      const unknown = await inject('POST', '/messages', as('alice'), { from: '1001', to: '1999', body: 'anyone?' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().error.code).toBe('unknown_extension');
    } finally {
      stream.close();
      carolStream.close();
    }
  });

  it('manages groups and routes a number to a group', async () => {
    const created = await inject('POST', '/groups', tenant.auth, { name: 'Support', userIds: [users.carol!.id] });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Support', userIds: [users.carol!.id] });
    expect((await inject('POST', '/groups', tenant.auth, { name: 'Support' })).statusCode).toBe(409);
    expect((await inject('POST', '/groups', as('alice'), { name: 'Mine' })).statusCode).toBe(403);
    const third = await harness.app.inject({ method: 'POST', url: '/api/v1/numbers', headers: tenant.auth, payload: { number: '+14155550150', providerAccountId: (await harness.ctx.db.selectFrom('numbers').select('provider_account_id').where('id', '=', lineId).executeTakeFirstOrThrow()).provider_account_id, destinations: { groupIds: [created.json().id] } } });
    expect(third.statusCode).toBe(201);
    expect((await inject('POST', '/messages', as('carol'), { from: '+14155550150', to: CUSTOMER, body: 'group line' })).statusCode).toBe(202);
    const removed = await harness.app.inject({ method: 'DELETE', url: `/api/v1/groups/${created.json().id}`, headers: tenant.auth });
    expect(removed.statusCode).toBe(204);
    const refused = await inject('POST', '/messages', as('carol'), { from: '+14155550150', to: CUSTOMER, body: 'group line again' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('number_not_allowed');
  });
});
