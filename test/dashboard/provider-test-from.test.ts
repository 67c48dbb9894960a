/** Issue 12, item 8: the provider account Test action works from the dashboard's form — "from" is one of the account's numbers, or typed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator } from '../../src/providers/twilio/twilio.emulator.js';
import { createTestApp, createTestTenant, type TestApp, type Tenant } from '../helper.js';

const CREDENTIALS = { accountSid: 'AC' + '7'.repeat(32), authToken: 'f'.repeat(32) };

describe('POST /provider-accounts/:id/test', () => {
  let t: TestApp;
  let tenant: Tenant;
  let twilio: Awaited<ReturnType<typeof startTwilioEmulator>>;
  let accountId = '';
  const test = (payload: unknown) => t.app.inject({ method: 'POST', url: `/api/v1/provider-accounts/${accountId}/test`, headers: tenant.auth, payload: payload as object });
  const lastFrom = () => new URLSearchParams(twilio.requests.at(-1)!.text).get('From');

  beforeAll(async () => {
    twilio = await startTwilioEmulator({ ...CREDENTIALS, callbackDelayMs: 0 });
    t = await createTestApp();
    tenant = await createTestTenant(t.ctx);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/provider-accounts', headers: tenant.auth, payload: { type: 'twilio', name: 'Twilio', credentials: CREDENTIALS, baseUrl: twilio.baseUrl } });
    expect(created.statusCode, created.body).toBe(201);
    accountId = created.json().id;
  });
  afterAll(async () => {
    await t?.close();
    await twilio?.close();
  });

  it('without a number on the account, asks for "from" by name and sends nothing', async () => {
    const before = twilio.requests.length;
    const answer = await test({ to: '+15551234567' });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.message).toMatch(/^from is required: this account has no number yet/);
    expect(twilio.requests.length).toBe(before);
  });

  it('sends from a typed number (read like "to") or an alphanumeric sender ID', async () => {
    const typed = await test({ to: '+15551234567', from: '+1 (555) 000-1111' });
    expect(typed.statusCode, typed.body).toBe(200);
    expect(typed.json().ok).toBe(true);
    expect(lastFrom()).toBe('+15550001111');
    const sender = await test({ to: '+15551234567', from: 'ACME' });
    expect(sender.json().ok).toBe(true);
    expect(lastFrom()).toBe('ACME');
    const bad = await test({ to: '+15551234567', from: '12' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^from "12" is not a valid phone number/);
  });

  it('defaults to the account’s number, and takes the one the form picked', async () => {
    for (const number of ['+15550002222', '+15550003333']) {
      const added = await t.app.inject({ method: 'POST', url: '/api/v1/numbers', headers: tenant.auth, payload: { number, providerAccountId: accountId, destinations: {} } });
      expect(added.statusCode, added.body).toBe(201);
    }
    expect((await test({ to: '+15551234567' })).json().ok).toBe(true);
    expect(['+15550002222', '+15550003333']).toContain(lastFrom());
    expect((await test({ to: '+15551234567', from: '+15550003333' })).json().ok).toBe(true);
    expect(lastFrom()).toBe('+15550003333');
  });
});
