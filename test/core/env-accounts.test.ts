import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap.js';
import { startBandwidthEmulator } from '../../src/providers/bandwidth/bandwidth.emulator.js';
import type { ProviderEmulator } from '../../src/providers/testing/emulator.js';
import { createApiKey } from '../../src/services/tenants.js';
import { createTestApp, eventually, type TestApp } from '../helper.js';

const bandwidth = { accountId: '9900000', apiToken: 'bw-user', apiSecret: 'bw-secret', applicationId: 'app-1', callbackUsername: 'cb-user', callbackPassword: 'cb-password' };

describe('provider accounts from the environment (FS PBX style, F6)', () => {
  let harness: TestApp;
  let emulator: ProviderEmulator;
  let auth: { authorization: string };

  beforeAll(async () => {
    emulator = await startBandwidthEmulator({ ...bandwidth, deliver: (url, init) => inject(url, init), callbackUrl: 'http://switchboard.test/webhook/bandwidth/sms' });
    harness = await createTestApp({
      env: {
        BANDWIDTH_ACCOUNT_ID: bandwidth.accountId,
        BANDWIDTH_API_TOKEN: bandwidth.apiToken,
        BANDWIDTH_API_SECRET: bandwidth.apiSecret,
        BANDWIDTH_APPLICATION_ID: bandwidth.applicationId,
        BANDWIDTH_CALLBACK_USERNAME: bandwidth.callbackUsername,
        BANDWIDTH_CALLBACK_PASSWORD: bandwidth.callbackPassword,
        BANDWIDTH_MESSAGE_BASE_URL: emulator.baseUrl,
      },
    });
    await bootstrap(harness.ctx);
    const tenant = await harness.ctx.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow();
    auth = { authorization: `Bearer ${(await createApiKey(harness.ctx.db, tenant.id, 'env test')).key}` };
    const number = await harness.app.inject({ method: 'POST', url: '/api/v1/numbers', headers: auth, payload: { number: '+19195550100', providerAccountId: 'env_bandwidth', mps: 0 } });
    expect(number.statusCode, number.body).toBe(201);
  });
  afterAll(async () => {
    await emulator.close();
    await harness.close();
  });

  async function inject(url: string, init: { method: string; headers: Record<string, string>; body: string }) {
    const parsed = new URL(url);
    const response = await harness.app.inject({ method: 'POST', url: parsed.pathname + parsed.search, headers: init.headers, payload: init.body });
    return { status: response.statusCode, body: response.body };
  }

  it('loads BANDWIDTH_* into an account whose webhook is /webhook/bandwidth/sms', async () => {
    const accounts = (await harness.app.inject({ method: 'GET', url: '/api/v1/provider-accounts', headers: auth })).json();
    const account = accounts.items.find((a: { id: string }) => a.id === 'env_bandwidth');
    expect(account).toMatchObject({ type: 'bandwidth', source: 'env', baseUrl: emulator.baseUrl, webhookUrls: { inbound: 'http://switchboard.test/webhook/bandwidth/sms' } });
    const patch = await harness.app.inject({ method: 'PATCH', url: '/api/v1/provider-accounts/env_bandwidth', headers: auth, payload: { name: 'x' } });
    expect(patch.statusCode).toBe(409);
  });

  it('sends through the environment account and takes inbound on the environment webhook', async () => {
    const sent = await harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: auth, payload: { from: '+19195550100', to: '+19195550199', body: 'from env' } });
    expect(sent.statusCode).toBe(202);
    await eventually(async () => (await harness.app.inject({ method: 'GET', url: `/api/v1/messages/${sent.json().id}`, headers: auth })).json().status === 'delivered');
    expect(emulator.requests[0]!.url).toMatch(new RegExp(`/users/${bandwidth.accountId}/messages$`));
    const inbound = await emulator.deliver(emulator.buildInbound({ webhookUrl: 'http://switchboard.test/webhook/bandwidth/sms', from: '+19195550199', to: '+19195550100', body: 'to env' }));
    expect(inbound.status).toBe(200);
    const list = (await harness.app.inject({ method: 'GET', url: '/api/v1/messages?direction=inbound', headers: auth })).json();
    expect(list.items[0]).toMatchObject({ body: 'to env', providerAccountId: 'env_bandwidth' });
  });

  it('stops start-up naming the missing variable when the set is partial', async () => {
    const partial = await createTestApp({ env: { BANDWIDTH_ACCOUNT_ID: '1' } });
    try {
      await expect(bootstrap(partial.ctx)).rejects.toThrow(/BANDWIDTH_API_TOKEN is not set/);
    } finally {
      await partial.close();
    }
  });
});
