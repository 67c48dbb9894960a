import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBulkvsEmulator } from '../../src/providers/bulkvs/bulkvs.emulator.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

/**
 * Receipts that carry no id of the send (BulkVS's SMPP-text receipts, StatusUpdate.match) apply to
 * the latest unfinished outbound message from our number to that recipient, and to nothing else.
 */
const credentials = { apiUsername: 'match-user', apiToken: 'match-token' };
const OURS = '+15005550006';
const ALICE = '+15551230001';
const BOB = '+15551230002';

describe('receipts matched by numbers (BulkVS)', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let emulator: Awaited<ReturnType<typeof startBulkvsEmulator>>;
  let webhookUrl: string;

  const send = async (to: string, body: string) => {
    const response = await harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: OURS, to, body } });
    expect(response.statusCode, response.body).toBe(202);
    const id = response.json().id as string;
    await eventually(async () => (await status(id)) === 'sent');
    return id;
  };
  const status = async (id: string) => (await harness.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: tenant.auth })).json().status as string;
  const receipt = (remote: string, stat: string, smppId: string, errorCode?: string) =>
    emulator.deliver(emulator.buildStatus({ webhookUrl, providerMessageId: smppId, status: stat, errorCode, from: remote.slice(1), to: OURS.slice(1) }));

  beforeAll(async () => {
    harness = await createTestApp();
    // No automatic receipts: this test sends each one itself.
    emulator = await startBulkvsEmulator({
      ...credentials,
      callbackDelayMs: 0,
      deliver: async (url, init) => {
        const parsed = new URL(url);
        const response = await harness.app.inject({ method: 'POST', url: parsed.pathname + parsed.search, headers: init.headers, payload: init.body });
        return { status: response.statusCode, body: response.body };
      },
    });
    tenant = await createTestTenant(harness.ctx);
    ({ webhookUrl } = await createAccountAndNumber(harness.app, tenant, { type: 'bulkvs', credentials, baseUrl: emulator.baseUrl, number: OURS, mps: 0 }));
  });
  afterAll(async () => {
    await emulator?.close();
    await harness?.close();
  });

  it('applies each receipt to the latest unfinished message to that recipient, never to another recipient, and ignores a repeat', async () => {
    const first = await send(ALICE, 'first to Alice');
    const second = await send(ALICE, 'second to Alice');
    const toBob = await send(BOB, 'to Bob');

    expect((await receipt(ALICE, 'DELIVRD', '1000000001')).status).toBe(200);
    expect([await status(first), await status(second), await status(toBob)]).toEqual(['sent', 'delivered', 'sent']);

    expect((await receipt(ALICE, 'UNDELIV', '1000000002', '255')).status).toBe(200);
    const failed = (await harness.app.inject({ method: 'GET', url: `/api/v1/messages/${first}`, headers: tenant.auth })).json();
    expect(failed).toMatchObject({ status: 'undelivered', error: { code: '255', message: expect.stringMatching(/could not deliver.*SMPP error 255/) } });

    // Nothing unfinished to Alice any more: a repeated receipt changes nothing and is answered 200.
    expect((await receipt(ALICE, 'DELIVRD', '1000000001')).status).toBe(200);
    expect([await status(first), await status(second), await status(toBob)]).toEqual(['undelivered', 'delivered', 'sent']);
    const log = await harness.app.inject({ method: 'GET', url: `/api/v1/webhook-log?verdict=duplicate`, headers: tenant.auth });
    expect(log.json().items.length).toBeGreaterThan(0);
  });
});
