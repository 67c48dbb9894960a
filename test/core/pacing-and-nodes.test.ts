import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator } from '../../src/providers/twilio/twilio.emulator.js';
import type { ProviderEmulator } from '../../src/providers/testing/emulator.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, PG_URL, TEST_DATABASE, type Tenant, type TestApp, createNodeContext } from '../helper.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';

const credentials = { accountSid: 'AC' + 'e'.repeat(32), authToken: 'pacing-token' };

describe('per-number pacing (mps)', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let emulator: ProviderEmulator;

  beforeAll(async () => {
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    emulator = await startTwilioEmulator({ ...credentials, callbackDelayMs: 0 });
    await createAccountAndNumber(harness.app, tenant, { type: 'twilio', credentials, baseUrl: emulator.baseUrl, number: '+15005550006', mps: 4 });
    // As the server does at start (server.ts): a thread started by the first send makes that send late.
    await harness.ctx.net.warm();
  });
  afterAll(async () => {
    await emulator.close();
    await harness.close();
  });

  it('spaces sends from one number at 1/mps seconds, however fast they are accepted', async () => {
    for (let i = 0; i < 5; i += 1) {
      const response = await harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: '+15005550006', to: '+15551234567', body: `paced ${i}` } });
      expect(response.statusCode).toBe(202);
    }
    await eventually(async () => emulator.requests.length === 5, 5000);
    // 5 sends at 4 per second take at least 4 × 250 ms at the provider. A worker can only start a
    // send late, never early, so single gaps vary; an unpaced burst would arrive within a few ms.
    const arrivals = emulator.requests.map((request) => request.at);
    const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
    expect(arrivals[4]! - arrivals[0]!).toBeGreaterThanOrEqual(900);
  });
});

describe.skipIf(TEST_DATABASE !== 'postgres')('several nodes on one PostgreSQL', () => {
  it('fans events out between nodes and shares the job queue', async () => {
    const first = await createTestApp();
    const config = loadConfig({ DATABASE_URL: first.ctx.config.databaseUrl, DATA_DIR: first.dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://switchboard.test' });
    const secondCtx = await createNodeContext(config, { queue: { pollMs: 20 } });
    const second = await buildApp(secondCtx);
    try {
      const tenant = await createTestTenant(first.ctx);
      await createAccountAndNumber(first.app, tenant, { type: 'sandbox', number: '+15550001111', credentials: { deliveryDelayMs: '10' } });
      const seen: string[] = [];
      const unsubscribe = secondCtx.events.subscribe((event) => seen.push(event.type));
      const sent = await first.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: '+15550001111', to: '+15551234567', body: 'across nodes' } });
      expect(sent.statusCode).toBe(202);
      await eventually(async () => seen.includes('message.status'), 5000);
      // The second node reads what the first wrote.
      const read = await second.inject({ method: 'GET', url: `/api/v1/messages/${sent.json().id}`, headers: tenant.auth });
      expect(read.statusCode).toBe(200);
      unsubscribe();
      expect(PG_URL).toMatch(/^postgres/);
    } finally {
      await second.close();
      await secondCtx.events.stop();
      await secondCtx.store.close();
      await first.close();
    }
  });
});
