import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startSmtpServer } from '../routing/support.js';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, eventually, type Tenant, type TestApp } from '../helper.js';
import { startReceiver, type Receiver } from './webhooks-receiver.js';

const OURS = '+15550107001';
let t: TestApp;
let tenant: Tenant;
let receiver: Receiver;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  receiver = await startReceiver();
  smtp = await startSmtpServer();
  // Three retries 50 ms apart stand in for the day-long default schedule.
  t = await createTestApp({ env: { EVENT_WEBHOOK_RETRY_SCHEDULE: '0.05,0.05,0.05', SMTP_URL: smtp.url, MAIL_FROM: 'switchboard@example.com' } });
  tenant = await createTestTenant(t.ctx, 'Hooks Ltd');
  await createTestUser(t.ctx, tenant.tenantId, { email: 'owner@hooks.example', name: 'Olive Owner', password: 'correct horse battery', role: 'owner' });
  await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: OURS });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
  await smtp.close();
});

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url: `/api/v1${url}`, headers: tenant.auth, payload });
const subscribe = async (path: string, events: string[]) => {
  const res = await api('POST', '/event-webhooks', { url: receiver.url(path), events, description: path });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string };
};
const headersOf = (r: { headers: Record<string, string> }) => ({ 'webhook-id': r.headers['webhook-id']!, 'webhook-timestamp': r.headers['webhook-timestamp']!, 'webhook-signature': r.headers['webhook-signature']! });

describe('event webhooks', () => {
  it('delivers message.received in the REST shape, signed so the standardwebhooks package verifies it', async () => {
    const endpoint = await subscribe('/received', ['message.received']);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    // The secret is shown once: reads do not carry it.
    expect((await api('GET', `/event-webhooks/${endpoint.id}`)).json()).not.toHaveProperty('secret');

    const inbound = await api('POST', '/sandbox/inbound', { from: '+15557001001', to: OURS, body: 'Hello hooks' });
    expect(inbound.statusCode, inbound.body).toBe(202);
    const delivery = await eventually(async () => receiver.on('/received')[0]);
    const verified = new Webhook(endpoint.secret).verify(delivery.body, headersOf(delivery)) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(verified.type).toBe('message.received');
    expect(Date.parse(verified.timestamp)).not.toBeNaN();
    const rest = (await api('GET', `/messages/${inbound.json().id}`)).json();
    expect(verified.data).toMatchObject({ id: rest.id, conversationId: rest.conversationId, direction: 'inbound', from: '+15557001001', to: OURS, body: 'Hello hooks' });
    expect(Object.keys(verified.data).sort()).toEqual(Object.keys(rest).sort());
    // A tampered body fails verification.
    expect(() => new Webhook(endpoint.secret).verify(delivery.body.replace('Hello', 'Hallo'), headersOf(delivery))).toThrow();

    const log = await eventually(async () => {
      const body = (await api('GET', `/event-webhooks/${endpoint.id}/deliveries`)).json();
      return body.items[0]?.status === 'succeeded' ? body : null;
    });
    expect(log.items[0]).toMatchObject({ eventType: 'message.received', status: 'succeeded' });
    expect(log.items[0].attempts[0]).toMatchObject({ attempt: 1, statusCode: 200, response: 'ok /received' });
    expect(typeof log.items[0].attempts[0].latencyMs).toBe('number');
  });

  it('sends message.created and every message.status transition of a send, in order', async () => {
    await subscribe('/status', ['message.status', 'message.created']);
    const sent = await api('POST', '/messages', { from: OURS, to: '+15557001002', body: 'Status please' });
    expect(sent.statusCode, sent.body).toBe(202);
    const statuses = await eventually(async () => {
      const events = receiver.on('/status').map((r) => JSON.parse(r.body) as { type: string; data: { id: string; status: string } }).filter((e) => e.data.id === sent.json().id);
      return events.some((e) => e.data.status === 'delivered') ? events : null;
    });
    expect(statuses.filter((e) => e.type === 'message.created')).toHaveLength(1);
    expect(statuses.filter((e) => e.type === 'message.status').map((e) => e.data.status)).toEqual(['sending', 'sent', 'delivered']);
  });

  it('publishes contact.created and contact.updated with the contact shape', async () => {
    await subscribe('/contacts', ['contact.created', 'contact.updated']);
    const created = await api('POST', '/contacts', { name: 'Cleo Contact', phones: ['+15557001003'] });
    await api('PATCH', `/contacts/${created.json().id}`, { fields: { plan: 'gold' } });
    const events = await eventually(async () => {
      const all = receiver.on('/contacts').map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
      return all.length >= 2 ? all : null;
    });
    expect(events.map((e) => e.type).sort()).toEqual(['contact.created', 'contact.updated']);
    expect(events.find((e) => e.type === 'contact.updated')!.data).toMatchObject({ id: created.json().id, name: 'Cleo Contact', phones: ['+15557001003'], fields: { plan: 'gold' } });
  });

  it('publishes optout.changed when a number opts out by keyword and when an admin lifts it', async () => {
    await subscribe('/optout', ['optout.changed']);
    await api('POST', '/sandbox/inbound', { from: '+15557001005', to: OURS, body: 'STOP' });
    const out = await eventually(async () => receiver.on('/optout')[0]);
    expect(JSON.parse(out.body)).toMatchObject({ type: 'optout.changed', data: { phone: '+15557001005', optedOut: true, source: 'keyword' } });
    const list = (await api('GET', '/opt-outs')).json();
    const entry = list.items.find((o: { phone: string }) => o.phone === '+15557001005');
    expect((await api('DELETE', `/opt-outs/${entry.id}`)).statusCode).toBe(204);
    const lifted = await eventually(async () => receiver.on('/optout')[1]);
    expect(JSON.parse(lifted.body)).toMatchObject({ type: 'optout.changed', data: { id: entry.id, phone: '+15557001005', optedOut: false } });
  });

  it('signs with both secrets during a rotation, and only the new one after it', async () => {
    const endpoint = await subscribe('/rotate', ['message.received']);
    const rotated = await api('POST', `/event-webhooks/${endpoint.id}/rotate-secret`, {});
    expect(rotated.statusCode, rotated.body).toBe(200);
    const newSecret = rotated.json().secret as string;
    expect(newSecret).not.toBe(endpoint.secret);
    expect(rotated.json().rotation.previousSecretExpiresAt > new Date().toISOString()).toBe(true);

    expect((await api('POST', `/event-webhooks/${endpoint.id}/test`)).statusCode).toBe(202);
    const during = await eventually(async () => receiver.on('/rotate')[0]);
    expect(JSON.parse(during.body).type).toBe('webhook.test');
    expect(during.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(newSecret).verify(during.body, headersOf(during))).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(during.body, headersOf(during))).not.toThrow();

    const ended = await api('POST', `/event-webhooks/${endpoint.id}/rotate-secret`, { graceHours: 0 });
    const latest = ended.json().secret as string;
    await api('POST', `/event-webhooks/${endpoint.id}/test`);
    const after = await eventually(async () => receiver.on('/rotate')[1]);
    expect(() => new Webhook(latest).verify(after.body, headersOf(after))).not.toThrow();
    expect(() => new Webhook(newSecret).verify(after.body, headersOf(after))).toThrow();

    const audit = (await api('GET', '/audit-log?limit=100')).json();
    expect(audit.items.some((e: { action: string; targetId?: string; target?: { id: string } }) => e.action === 'event_webhook.secret_rotated')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(latest);
  });

  it('retries with backoff, logs every attempt, then disables the endpoint with a notice and an email to owners', async () => {
    receiver.answer('/broken', 503);
    const endpoint = await subscribe('/broken', ['message.received']);
    await api('POST', '/sandbox/inbound', { from: '+15557001004', to: OURS, body: 'Anyone there?' });
    const disabled = await eventually(async () => {
      const row = (await api('GET', `/event-webhooks/${endpoint.id}`)).json();
      return row.enabled === false ? row : null;
    }, 10_000);
    expect(disabled.disabledReason).toContain('HTTP 503');
    const log = (await api('GET', `/event-webhooks/${endpoint.id}/deliveries`)).json();
    expect(log.items).toHaveLength(1);
    expect(log.items[0].status).toBe('failed');
    expect(log.items[0].attempts.map((a: { attempt: number; statusCode: number }) => [a.attempt, a.statusCode])).toEqual([[1, 503], [2, 503], [3, 503], [4, 503]]);
    expect(log.items[0].attempts[0].response).toBe('failure 503 at /broken');
    expect(receiver.on('/broken')).toHaveLength(4);
    // Attempts are spaced by the schedule, not fired at once.
    const times = log.items[0].attempts.map((a: { at: string }) => Date.parse(a.at));
    expect(times[3] - times[0]).toBeGreaterThanOrEqual(140);
    const mail = await eventually(async () => smtp.received.find((m) => m.to.includes('owner@hooks.example')));
    expect(mail.raw).toContain('was disabled');

    // A disabled endpoint gets no new events.
    await api('POST', '/sandbox/inbound', { from: '+15557001004', to: OURS, body: 'Still there?' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.on('/broken')).toHaveLength(4);

    // Fixed: resend the failed delivery by hand, then enable the endpoint again.
    receiver.answer('/broken', 204);
    const resent = await api('POST', `/event-webhooks/${endpoint.id}/deliveries/${log.items[0].id}/resend`);
    expect(resent.statusCode, resent.body).toBe(202);
    await eventually(async () => (await api('GET', `/event-webhooks/${endpoint.id}/deliveries`)).json().items[0].status === 'succeeded');
    const enabled = await api('PATCH', `/event-webhooks/${endpoint.id}`, { enabled: true });
    expect(enabled.json()).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('refuses bad input with 4xx naming the problem', async () => {
    const unknown = await api('POST', '/event-webhooks', { url: receiver.url('/x'), events: ['message.exploded'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toContain('message.exploded');
    expect((await api('POST', '/event-webhooks', { url: 'ftp://example.com/x', events: ['message.received'] })).statusCode).toBe(400);
    expect((await api('POST', '/event-webhooks', { url: 'not a url', events: ['message.received'] })).statusCode).toBe(400);
    expect((await api('POST', '/event-webhooks', { url: receiver.url('/x'), events: 'message.received' })).statusCode).toBe(400);
    expect((await api('GET', '/event-webhooks/ewh_missing')).statusCode).toBe(404);
  });

  it('keeps endpoints to their tenant', async () => {
    const other = await createTestTenant(t.ctx, 'Other Co');
    const mine = await subscribe('/mine', ['message.received']);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/event-webhooks/${mine.id}`, headers: other.auth });
    expect(res.statusCode).toBe(404);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/event-webhooks', headers: other.auth });
    expect(list.json().items).toEqual([]);
  });
});
