/** The server side of the dashboard: Web Push subscriptions and sending, per-day stats, re-send. */
import { createECDH, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushDb } from '../../src/services/push.js';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, eventually, type Tenant, type TestApp } from '../helper.js';

let t: TestApp;
let tenant: Tenant;
let session: { cookie: string; 'x-csrf-token': string };
const OUR = '+15550100001';

function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

beforeAll(async () => {
  t = await createTestApp();
  tenant = await createTestTenant(t.ctx);
  await createTestUser(t.ctx, tenant.tenantId, { email: 'owner@example.com', name: 'Owner', role: 'owner', password: 'password 123' });
  await createAccountAndNumber(t.app, tenant, { type: 'sandbox', credentials: { deliveryDelayMs: '10' }, number: OUR });
  const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@example.com', password: 'password 123' } });
  expect(login.statusCode).toBe(200);
  const cookie = login.cookies.find((c) => c.name === 'sb_session')!;
  session = { cookie: `${cookie.name}=${cookie.value}`, 'x-csrf-token': login.json().csrfToken };
});

afterAll(async () => {
  await t.close();
});

describe('web push', () => {
  it('generates the VAPID key pair into DATA_DIR on first use and keeps it', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/api/v1/push/vapid-public-key', headers: session });
    expect(first.statusCode).toBe(200);
    expect(first.json().publicKey).toMatch(/^[A-Za-z0-9_-]{80,}$/);
    const file = path.join(t.dataDir, 'vapid.json');
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    const again = await t.app.inject({ method: 'GET', url: '/api/v1/push/vapid-public-key', headers: session });
    expect(again.json().publicKey).toBe(first.json().publicKey);
  });

  it('stores a subscription, sends on inbound, and records a refused endpoint', async () => {
    // A push endpoint on a private address is never contacted (SSRF guard); the failure is kept.
    const endpoint = 'https://10.255.255.1:9/push/abc';
    const subscribe = await t.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: session, payload: { endpoint, expirationTime: null, keys: browserKeys() } });
    expect(subscribe.statusCode).toBe(201);
    const inbound = await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: tenant.auth, payload: { from: '+15550102000', to: OUR, body: 'hello' } });
    expect(inbound.statusCode).toBe(202);
    const row = await eventually(async () => {
      const found = await pushDb(t.ctx.db).selectFrom('push_subscriptions').selectAll().where('endpoint', '=', endpoint).executeTakeFirst();
      return found?.last_error ? found : null;
    });
    expect(row.last_error).toMatch(/private, loopback or reserved address/);
    const settings = await t.app.inject({ method: 'GET', url: '/api/v1/push/settings', headers: session });
    expect(settings.json()).toMatchObject({ enabled: true, subscriptions: [{ endpoint }] });
  });

  it('refuses a non-https endpoint and API-key callers', async () => {
    const plain = await t.app.inject({ method: 'POST', url: '/api/v1/push/subscriptions', headers: session, payload: { endpoint: 'http://push.example.com/x', keys: browserKeys() } });
    expect(plain.statusCode).toBe(400);
    const byKey = await t.app.inject({ method: 'GET', url: '/api/v1/push/settings', headers: tenant.auth });
    expect(byKey.statusCode).toBe(400);
  });

  it('switches push off per user and removes a subscription', async () => {
    const off = await t.app.inject({ method: 'PUT', url: '/api/v1/push/settings', headers: session, payload: { enabled: false } });
    expect(off.json()).toEqual({ enabled: false });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/push/settings', headers: session })).json().enabled).toBe(false);
    const removed = await t.app.inject({ method: 'DELETE', url: '/api/v1/push/subscriptions', headers: session, payload: { endpoint: 'https://10.255.255.1:9/push/abc' } });
    expect(removed.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/push/settings', headers: session })).json().subscriptions).toEqual([]);
  });

  it('needs the CSRF token for cookie-authenticated writes', async () => {
    const response = await t.app.inject({ method: 'PUT', url: '/api/v1/push/settings', headers: { cookie: session.cookie }, payload: { enabled: true } });
    expect(response.statusCode).toBe(403);
  });
});

describe('re-send and stats', () => {
  it('re-sends a failed message as a new one and refuses the others', async () => {
    const sent = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: OUR, to: '+15550100666', body: 'try again' } });
    const id = sent.json().id as string;
    await eventually(async () => (await t.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: tenant.auth })).json().status === 'undelivered');
    const retry = await t.app.inject({ method: 'POST', url: `/api/v1/messages/${id}/retry`, headers: tenant.auth });
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toMatchObject({ retryOf: id, status: 'queued' });
    const copy = (await t.app.inject({ method: 'GET', url: `/api/v1/messages/${retry.json().id}`, headers: tenant.auth })).json();
    expect(copy).toMatchObject({ from: OUR, to: '+15550100666', body: 'try again', conversationId: sent.json().conversationId });

    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: OUR, to: '+15550102000', body: 'fine' } });
    await eventually(async () => (await t.app.inject({ method: 'GET', url: `/api/v1/messages/${ok.json().id}`, headers: tenant.auth })).json().status === 'delivered');
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/messages/${ok.json().id}/retry`, headers: tenant.auth })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/messages/msg_nope/retry', headers: tenant.auth })).statusCode).toBe(404);
  });

  it('counts messages per day by status', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/stats/messages-per-day?days=7', headers: tenant.auth });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { days: Array<{ date: string; total: number; byStatus: Record<string, number> }>; statuses: string[] };
    expect(body.days).toHaveLength(7);
    const today = body.days.at(-1)!;
    expect(today.date).toBe(new Date().toISOString().slice(0, 10));
    expect(today.byStatus.received).toBeGreaterThanOrEqual(1);
    expect(today.byStatus.delivered).toBeGreaterThanOrEqual(1);
    expect(today.byStatus.undelivered).toBeGreaterThanOrEqual(1);
    expect(today.total).toBe(Object.values(today.byStatus).reduce((a, b) => a + b, 0));
    expect(body.statuses).toContain('delivered');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/stats/messages-per-day?days=0', headers: tenant.auth })).statusCode).toBe(400);
  });
});
