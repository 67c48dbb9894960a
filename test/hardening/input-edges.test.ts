/**
 * Issue 10, items 6, 7, 13 and 14: NUL characters, empty lists, wrong JSON types inside validly
 * signed webhooks and broken multipart are 4xx, never 5xx; unknown provider names do not grow
 * /metrics; a webhook sent to the wrong provider's URL is shown to the account's tenant; URL
 * tokens never reach the diagnostics log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelnyxEmulator, type TelnyxEmulator } from '../../src/providers/telnyx/telnyx.emulator.js';
import { createAccountAndNumber, createTestApp, createTestTenant, type Tenant, type TestApp } from '../helper.js';

const OUR = '+15005550006';

describe('malformed input at the edges', () => {
  let t: TestApp;
  let tenant: Tenant;
  let telnyx: TelnyxEmulator;
  let telnyxUrl: string;
  let clicksendUrl: string;
  let clicksendId: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: 'metrics-secret-token' } });
    tenant = await createTestTenant(t.ctx);
    telnyx = await startTelnyxEmulator({ apiKey: 'KEY_edges' });
    const created = await createAccountAndNumber(t.app, tenant, { type: 'telnyx', credentials: { apiKey: 'KEY_edges', publicKey: telnyx.publicKey }, baseUrl: telnyx.baseUrl, number: OUR });
    telnyxUrl = created.webhookUrl;
    const clicksend = await createAccountAndNumber(t.app, tenant, { type: 'clicksend', credentials: { username: 'u', apiKey: 'k' }, number: '+15005550007' });
    clicksendUrl = clicksend.webhookUrl;
    clicksendId = clicksend.accountId;
  });
  afterAll(async () => {
    await telnyx.close();
    await t.close();
  });

  const post = (url: string, body: string, headers: Record<string, string>) => {
    const parsed = new URL(url);
    return t.app.inject({ method: 'POST', url: parsed.pathname + parsed.search, payload: body, headers });
  };
  const signedTelnyx = (payload: Record<string, unknown>) => {
    const body = JSON.stringify({ data: { event_type: 'message.received', id: 'evt-' + Math.random(), occurred_at: new Date().toISOString(), payload: { id: 'msg-' + Math.random(), direction: 'inbound', type: 'SMS', from: { phone_number: '+15551234567' }, to: [{ phone_number: OUR }], text: 'hi', media: [], ...payload } }, meta: { attempt: 1 } });
    const webhook = telnyx.sign(telnyxUrl, body);
    return post(webhook.url, webhook.body, webhook.headers);
  };
  const count = async (table: 'messages' | 'webhook_log') => Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('answers NUL characters in API bodies, queries and paths with 400', async () => {
    const body = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: OUR, to: '+15551234567', body: 'a\u0000b' } });
    expect(body.statusCode).toBe(400);
    expect(body.json().error.code).toBe('invalid_character');
    const query = await t.app.inject({ method: 'GET', url: '/api/v1/messages?q=%00', headers: tenant.auth });
    expect(query.statusCode).toBe(400);
    const path = await t.app.inject({ method: 'GET', url: '/api/v1/messages/%00', headers: tenant.auth });
    expect(path.statusCode).toBe(400);
  });

  it('answers NUL characters in unauthenticated webhook paths and bodies with 400', async () => {
    for (const url of ['/webhook/twilio/sms/%00', '/webhook/%00/sms', '/webhook/telnyx/sms?x=%00']) {
      const response = await t.app.inject({ method: 'POST', url, payload: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(response.statusCode, url).toBe(400);
    }
    const nulText = await signedTelnyx({ text: 'a\u0000b' });
    expect(nulText.statusCode).toBe(400);
  });

  it('never builds an empty "in ()" from a blank sender', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: ' ', to: '+15551234567', body: 'x' } });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
  });

  it('runs "in" and "not in" over an empty list as false and true, nested too, on the database itself', async () => {
    const db = t.ctx.db;
    const all = (await db.selectFrom('numbers').select('id').execute()).length;
    expect(all).toBeGreaterThan(0);
    expect(await db.selectFrom('numbers').select('id').where('id', 'in', []).execute()).toEqual([]);
    expect((await db.selectFrom('numbers').select('id').where('id', 'not in', []).execute()).length).toBe(all);
    const nested = await db
      .selectFrom('numbers')
      .select('id')
      .where((eb) => eb.or([eb('id', 'in', []), eb('id', 'in', eb.selectFrom('numbers as n').select('n.id').where('n.number', 'in', []))]))
      .execute();
    expect(nested).toEqual([]);
  });

  it('refuses validly signed webhooks with wrong JSON types, storing nothing', async () => {
    const before = await count('messages');
    for (const payload of [{ to: [null] }, { text: 123 }, { from: { phone_number: 123 } }, { to: 'not-a-list' }, { media: [{ url: 5 }] }, { received_at: '+275760-09-13T00:00:00.000Z', id: { nested: true } }]) {
      const response = await signedTelnyx(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, JSON.stringify(payload)).toBeLessThan(500);
    }
    expect(await count('messages')).toBe(before);
    // A huge timestamp in an otherwise good message is replaced by our clock, not stored.
    const stored = await signedTelnyx({ received_at: '+200000-01-01T00:00:00.000Z' });
    expect(stored.statusCode).toBe(200);
  });

  it('answers a multipart upload without a boundary with 400', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/media', headers: { ...tenant.auth, 'content-type': 'multipart/form-data' }, payload: 'garbage' });
    expect(response.statusCode).toBe(400);
  });

  it('counts unknown provider names as one "unknown" series and protects /metrics with its token', async () => {
    for (let i = 0; i < 5; i += 1) await t.app.inject({ method: 'POST', url: `/webhook/made-up-${i}/sms`, payload: '' });
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-secret-token' } });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).not.toMatch(/made-up/);
    expect(metrics.body).toMatch(/switchboard_webhooks_total\{provider="unknown",verdict="refused"\}/);
  });

  it('logs refusals at a bounded rate per source', async () => {
    const before = await count('webhook_log');
    for (let i = 0; i < 80; i += 1) await t.app.inject({ method: 'POST', url: '/webhook/twilio/sms/pa_nope', payload: '', remoteAddress: '198.51.100.77' });
    const logged = (await count('webhook_log')) - before;
    expect(logged).toBeGreaterThan(0);
    expect(logged).toBeLessThanOrEqual(30);
  });

  it('shows a webhook sent to the wrong provider URL to the account’s tenant, naming the right URL', async () => {
    const wrongPath = new URL(telnyxUrl).pathname.replace('/telnyx/', '/twilio/');
    const response = await t.app.inject({ method: 'POST', url: wrongPath, payload: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '198.51.100.90' });
    expect(response.statusCode).toBe(404);
    const log = await t.app.inject({ method: 'GET', url: '/api/v1/webhook-log', headers: tenant.auth });
    const row = log.json().items.find((item: { reason?: string }) => item.reason?.startsWith('wrong_url'));
    expect(row, JSON.stringify(log.json().items.slice(0, 3))).toBeTruthy();
    expect(row.reason).toContain(new URL(telnyxUrl).pathname);
  });

  it('never writes a webhook URL token into the diagnostics log', async () => {
    const token = new URL(clicksendUrl).searchParams.get('token')!;
    const forged = clicksendUrl.replace(token, token.slice(0, -2) + 'zz');
    await t.app.inject({ method: 'POST', url: new URL(clicksendUrl).pathname + new URL(clicksendUrl).search, payload: 'from=%2B15551234567&to=%2B15005550007&body=hi&message_id=m1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '198.51.100.91' });
    await t.app.inject({ method: 'POST', url: new URL(forged).pathname + new URL(forged).search, payload: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '198.51.100.91' });
    const rows = await t.ctx.db.selectFrom('webhook_log').select(['url', 'reason']).where('provider_account_id', '=', clicksendId).execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(`${row.url} ${row.reason}`).not.toContain(token.slice(0, 12));
  });
});
