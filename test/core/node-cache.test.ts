/**
 * Issue 11: what is read on every message and changed rarely (a tenant's event webhooks) is
 * cached per node, dropped on change on this node and, through the event bus, on every other.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { EventBus } from '../../src/services/events.js';
import { NodeCache } from '../../src/services/node-cache.js';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../src/context.js';
import { createNodeContext, createTestApp, createTestTenant, eventually, TEST_DATABASE, type TestApp } from '../helper.js';

describe('node cache', () => {
  it('loads a key once, loads it again after a change, and keeps no value from a load that raced a change', async () => {
    const bus = new EventBus(pino({ level: 'silent' }));
    let version = 1;
    let loads = 0;
    let release: (() => void) | null = null;
    const cache = new NodeCache('test', bus, async () => {
      loads += 1;
      const seen = version;
      if (release === null && loads === 3) await new Promise<void>((resolve) => (release = resolve));
      return seen;
    });
    expect(await cache.get('t1')).toBe(1);
    expect(await cache.get('t1')).toBe(1);
    expect(loads).toBe(1);
    version = 2;
    cache.changed('t1');
    expect(await cache.get('t1')).toBe(2);
    expect(loads).toBe(2);

    // A load that started before a change answers its caller but is not kept.
    cache.changed('t1');
    const racing = cache.get('t1');
    await eventually(async () => release !== null);
    version = 3;
    cache.changed('t1');
    release!();
    expect(await racing).toBe(2);
    expect(await cache.get('t1')).toBe(3);
  });

  it('shares one load between callers missing the same key at once, and keeps only what `keep` accepts', async () => {
    const bus = new EventBus(pino({ level: 'silent' }));
    const loaded: string[] = [];
    const cache = new NodeCache<string | undefined>('test-keep', bus, async (key) => {
      loaded.push(key);
      await new Promise((resolve) => setTimeout(resolve, 10));
      return key.startsWith('known') ? key.toUpperCase() : undefined;
    }, { keep: (value) => value !== undefined });
    expect(await Promise.all([cache.get('known-1'), cache.get('known-1'), cache.get('known-1')])).toEqual(['KNOWN-1', 'KNOWN-1', 'KNOWN-1']);
    expect(loaded).toEqual(['known-1']);
    expect(await cache.get('known-1')).toBe('KNOWN-1');
    // A miss (e.g. an unknown account id from a webhook URL) is answered but not kept.
    expect(await cache.get('other')).toBeUndefined();
    expect(await cache.get('other')).toBeUndefined();
    expect(loaded).toEqual(['known-1', 'other', 'other']);
  });
});

/** Two nodes on one PostgreSQL database: the test app and a second context with its own HTTP app. */
async function withTwoNodes(run: (first: TestApp, second: { ctx: AppContext; app: FastifyInstance }) => Promise<void>): Promise<void> {
  const first = await createTestApp();
  const config = loadConfig({ DATABASE_URL: first.ctx.config.databaseUrl, DATA_DIR: first.dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://switchboard.test', ALLOW_PRIVATE_URLS: '127.0.0.1/32' });
  const secondCtx = await createNodeContext(config, { queue: { pollMs: 20 } });
  const second = await buildApp(secondCtx);
  try {
    await run(first, { ctx: secondCtx, app: second });
  } finally {
    await second.close();
    await secondCtx.events.stop();
    await secondCtx.store.close();
    await first.close();
  }
}

describe.skipIf(TEST_DATABASE !== 'postgres')('event webhooks cache across nodes', () => {
  it('a webhook created on one node receives the events the other node raises', async () => {
    await withTwoNodes(async (first, second) => {
      const tenant = await createTestTenant(first.ctx);
      // The second node caches "no endpoints" for this tenant.
      expect(await second.ctx.eventWebhookEndpoints.get(tenant.tenantId)).toEqual([]);
      const created = await first.app.inject({ method: 'POST', url: '/api/v1/event-webhooks', headers: tenant.auth, payload: { url: 'http://127.0.0.1:9/hook', events: ['contact.created'] } });
      expect(created.statusCode).toBe(201);
      await eventually(async () => (await second.ctx.eventWebhookEndpoints.get(tenant.tenantId)).length === 1, 5000);
      expect((await second.ctx.eventWebhookEndpoints.get(tenant.tenantId))[0]).toMatchObject({ id: created.json().id, events: ['contact.created'] });
      const disabled = await first.app.inject({ method: 'PATCH', url: `/api/v1/event-webhooks/${created.json().id}`, headers: tenant.auth, payload: { enabled: false } });
      expect(disabled.statusCode).toBe(200);
      await eventually(async () => (await second.ctx.eventWebhookEndpoints.get(tenant.tenantId)).length === 0, 5000);
    });
  });
});

describe.skipIf(TEST_DATABASE !== 'postgres')('API keys across nodes', () => {
  it('a key revoked on one node stops working on the other, which had it cached', async () => {
    await withTwoNodes(async (first, second) => {
      const tenant = await createTestTenant(first.ctx);
      const made = await first.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: tenant.auth, payload: { name: 'revoked elsewhere' } });
      expect(made.statusCode).toBe(201);
      const auth = { authorization: `Bearer ${made.json().key}` };
      // The second node reads the key once and keeps it.
      expect((await second.app.inject({ method: 'GET', url: '/api/v1/me', headers: auth })).statusCode).toBe(200);
      expect((await first.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${made.json().id}`, headers: tenant.auth })).statusCode).toBe(204);
      await eventually(async () => (await second.app.inject({ method: 'GET', url: '/api/v1/me', headers: auth })).statusCode === 401, 5000);
    });
  });
});

describe.skipIf(TEST_DATABASE !== 'postgres')('opt-outs across nodes', () => {
  it('a phone opted out on one node is refused by the other, which had looked it up', async () => {
    await withTwoNodes(async (first, second) => {
      const tenant = await createTestTenant(first.ctx);
      const line = '+14155550700';
      const phone = '+14155550701';
      expect((await first.app.inject({ method: 'POST', url: '/api/v1/provider-accounts', headers: tenant.auth, payload: { type: 'sandbox', name: 'Sandbox', credentials: {} } })).statusCode).toBe(201);
      const account = (await first.app.inject({ method: 'GET', url: '/api/v1/provider-accounts', headers: tenant.auth })).json().items[0];
      expect((await first.app.inject({ method: 'POST', url: '/api/v1/numbers', headers: tenant.auth, payload: { number: line, providerAccountId: account.id } })).statusCode).toBe(201);
      const send = () => second.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: line, to: phone, body: 'hi' } });
      // The second node looks the phone up (no opt-out) and keeps that.
      expect((await send()).statusCode).toBe(202);
      expect((await first.app.inject({ method: 'POST', url: '/api/v1/opt-outs', headers: tenant.auth, payload: { phone } })).statusCode).toBe(201);
      await eventually(async () => (await send()).statusCode === 409, 5000);
    });
  });
});
