import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderEmulator } from '../../src/providers/testing/emulator.js';
import { startTwilioEmulator } from '../../src/providers/twilio/twilio.emulator.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const credentials = { accountSid: 'AC' + 'f'.repeat(32), authToken: 'carrier-opt-out-token' };

describe('opt-outs reported by the carrier in a delivery receipt (F27)', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let emulator: ProviderEmulator;
  let webhookUrl: string;

  beforeAll(async () => {
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    emulator = await startTwilioEmulator({
      ...credentials,
      callbackDelayMs: 0,
      deliver: async (url, init) => {
        const parsed = new URL(url);
        const response = await harness.app.inject({ method: 'POST', url: parsed.pathname + parsed.search, headers: init.headers, payload: init.body });
        return { status: response.statusCode, body: response.body };
      },
    });
    ({ webhookUrl } = await createAccountAndNumber(harness.app, tenant, { type: 'twilio', credentials, baseUrl: emulator.baseUrl, number: '+15005550006', mps: 0 }));
  });
  afterAll(async () => {
    await emulator.close();
    await harness.close();
  });

  it('marks the recipient opted out, so the next send is refused before the provider', async () => {
    const send = () => harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: '+15005550006', to: '+15557770001', body: 'Your order shipped' } });
    const first = await send();
    expect(first.statusCode).toBe(202);
    const message = await eventually(async () => {
      const m = (await harness.app.inject({ method: 'GET', url: `/api/v1/messages/${first.json().id}`, headers: tenant.auth })).json();
      return m.providerMessageId && m;
    });
    const receipt = await emulator.deliver(emulator.buildStatus({ webhookUrl, providerMessageId: message.providerMessageId, status: 'failed', errorCode: '21610' }));
    expect(receipt.status).toBe(200);
    const requests = emulator.requests.length;
    const second = await send();
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('opted_out');
    expect(emulator.requests.length).toBe(requests);
    const failed = (await harness.app.inject({ method: 'GET', url: `/api/v1/messages/${first.json().id}`, headers: tenant.auth })).json();
    expect(failed).toMatchObject({ status: 'failed', error: { code: '21610' } });
  });
});
