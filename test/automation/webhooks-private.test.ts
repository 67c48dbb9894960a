import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';
import { startReceiver, type Receiver } from './webhooks-receiver.js';

let receiver: Receiver;
let inner: Receiver;
beforeAll(async () => {
  receiver = await startReceiver('127.0.0.1');
  // 127.0.0.2 is loopback too, but outside the operator's allow-list below.
  inner = await startReceiver('127.0.0.2');
});
afterAll(async () => {
  await receiver.close();
  await inner.close();
});

describe('event webhook URLs and the private-address guard', () => {
  let t: TestApp;
  let tenant: Tenant;
  afterAll(async () => t?.close());

  it('refuses loopback and private endpoints when the operator allows none', async () => {
    t = await createTestApp({ env: { ALLOW_PRIVATE_URLS: '' } });
    tenant = await createTestTenant(t.ctx);
    for (const url of [receiver.url('/x'), 'http://10.1.2.3/hook', 'http://[::1]:8080/hook', 'http://localhost:9/hook']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/event-webhooks', headers: tenant.auth, payload: { url, events: ['message.received'] } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('private_address');
    }
    const wf = await t.app.inject({ method: 'POST', url: '/api/v1/workflows', headers: tenant.auth, payload: { name: 'hook', trigger: { type: 'message.received' }, steps: [{ type: 'http_webhook', url: receiver.url('/x') }] } });
    expect(wf.statusCode).toBe(400);
    expect(wf.json().error.code).toBe('private_address');
  });

  it('allows what ALLOW_PRIVATE_URLS lists, and checks every redirect hop against it', async () => {
    const allowed = await createTestApp({ env: { ALLOW_PRIVATE_URLS: '127.0.0.1/32' } });
    try {
      const owner = await createTestTenant(allowed.ctx);
      const ok = await allowed.app.inject({ method: 'POST', url: '/api/v1/event-webhooks', headers: owner.auth, payload: { url: receiver.url('/allowed'), events: ['message.received'] } });
      expect(ok.statusCode, ok.body).toBe(201);
      const refused = await allowed.app.inject({ method: 'POST', url: '/api/v1/event-webhooks', headers: owner.auth, payload: { url: inner.url('/inner'), events: ['message.received'] } });
      expect(refused.json().error?.code).toBe('private_address');

      // An allowed endpoint that redirects to a refused address: the hop is refused at connect time.
      receiver.answer('/redirect', 307, inner.url('/inner'));
      const redirecting = await allowed.app.inject({ method: 'POST', url: '/api/v1/event-webhooks', headers: owner.auth, payload: { url: receiver.url('/redirect'), events: ['message.received'] } });
      expect(redirecting.statusCode).toBe(201);
      await allowed.app.inject({ method: 'POST', url: `/api/v1/event-webhooks/${redirecting.json().id}/test`, headers: owner.auth });
      const attempt = await eventually(async () => (await allowed.app.inject({ method: 'GET', url: `/api/v1/event-webhooks/${redirecting.json().id}/deliveries`, headers: owner.auth })).json().items[0]?.attempts[0]);
      expect(attempt.statusCode).toBeNull();
      expect(attempt.error).toMatch(/127\.0\.0\.2.*private|private.*127\.0\.0\.2/);
      expect(receiver.on('/redirect')).toHaveLength(1);
      expect(inner.on('/inner')).toHaveLength(0);
    } finally {
      await allowed.close();
    }
  });
});

describe('event webhook retry schedule', () => {
  it('spans about a day by default and refuses nonsense', () => {
    const schedule = loadConfig({}).eventWebhookRetryMs;
    const total = schedule.reduce((sum, ms) => sum + ms, 0);
    expect(total).toBeGreaterThan(20 * 3_600_000);
    expect(total).toBeLessThan(26 * 3_600_000);
    expect(loadConfig({ EVENT_WEBHOOK_RETRY_SCHEDULE: '1, 2.5' }).eventWebhookRetryMs).toEqual([1000, 2500]);
    expect(() => loadConfig({ EVENT_WEBHOOK_RETRY_SCHEDULE: 'soon' })).toThrow(/EVENT_WEBHOOK_RETRY_SCHEDULE/);
    expect(() => loadConfig({ EVENT_WEBHOOK_RETRY_SCHEDULE: '90000' })).toThrow(/EVENT_WEBHOOK_RETRY_SCHEDULE/);
  });
});
