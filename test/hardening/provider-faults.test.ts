/**
 * Issue 10, items 2, 9 and 10, against the Twilio emulator: an absurd Retry-After fails the send
 * with a reason (and does not crash), a provider that accepts but answers too late is not sent
 * the message twice nor marked failed, and a failure to record an accepted send never resends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator } from '../../src/providers/twilio/twilio.emulator.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const credentials = { accountSid: 'AC' + '1'.repeat(32), authToken: 'f'.repeat(32) };
const OUR = '+15005550006';

/** An app with a Twilio account and number on the local emulator, set up before and closed after the describe. */
function twilioOnEmulator(appOptions: Parameters<typeof createTestApp>[0]) {
  const harness = {} as { t: TestApp; tenant: Tenant; emulator: Awaited<ReturnType<typeof startTwilioEmulator>> };
  beforeAll(async () => {
    harness.t = await createTestApp(appOptions);
    harness.tenant = await createTestTenant(harness.t.ctx);
    harness.emulator = await startTwilioEmulator({ ...credentials, callbackDelayMs: 0 });
    await createAccountAndNumber(harness.t.app, harness.tenant, { type: 'twilio', credentials, baseUrl: harness.emulator.baseUrl, number: OUR, mps: 0 });
  });
  afterAll(async () => {
    await harness.emulator.close();
    await harness.t.close();
  });
  return harness;
}

describe('provider faults on the send path', () => {
  // The adapter's 15 s request timeout, shortened for the test: a late answer is the same fault.
  const impatientFetch: typeof fetch = (input, init = {}) => {
    const signals = [AbortSignal.timeout(400), ...(init.signal ? [init.signal] : [])];
    return fetch(input, { ...init, signal: AbortSignal.any(signals) });
  };
  const harness = twilioOnEmulator({ fetch: impatientFetch });

  const send = async (to: string, body: string) => {
    const response = await harness.t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: harness.tenant.auth, payload: { from: OUR, to, body } });
    expect(response.statusCode, response.body).toBe(202);
    return response.json().id as string;
  };
  const message = async (id: string) => (await harness.t.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: harness.tenant.auth })).json();
  const requestsTo = (to: string) => harness.emulator.requests.filter((r) => new URLSearchParams(r.text).get('To') === to).length;

  it('fails a send whose Retry-After is beyond an hour, with the reason, and keeps running', async () => {
    harness.emulator.failNext(429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'retry-after': '99999999999999' });
    const id = await send('+15551230001', 'throttled');
    const final = await eventually(async () => {
      const m = await message(id);
      return m.status === 'failed' ? m : null;
    });
    expect(final.error.message).toMatch(/more than an hour/);
    const health = await harness.t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });

  it('does not send again, nor mark failed, when the provider accepted but answered too late', async () => {
    harness.emulator.faults.answerDelayMs = 1000;
    try {
      const to = '+15551230002';
      const id = await send(to, 'slow carrier');
      const recorded = await eventually(async () => {
        const m = await message(id);
        return m.error?.code === 'outcome_unknown' ? m : null;
      });
      expect(recorded.status).not.toBe('failed');
      expect(recorded.history.some((h: { detail?: string }) => /not sent again automatically/.test(h.detail ?? ''))).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await harness.t.ctx.queue.drain();
      expect(requestsTo(to)).toBe(1);
      expect((await message(id)).status).not.toBe('failed');
      // A person who checked can re-send it deliberately.
      harness.emulator.faults.answerDelayMs = 0;
      const again = await harness.t.app.inject({ method: 'POST', url: `/api/v1/messages/${id}/retry`, headers: harness.tenant.auth });
      expect(again.statusCode, again.body).toBe(202);
    } finally {
      harness.emulator.faults.answerDelayMs = 0;
    }
  });

  it('never resends a message the provider accepted when recording its id fails', async () => {
    await harness.t.ctx.queue.drain();
    harness.emulator.faults.reuseSid = 'SM' + 'a'.repeat(32);
    try {
      const first = await send('+15551230003', 'one');
      await eventually(async () => (await message(first)).providerMessageId === harness.emulator.faults.reuseSid);
      const to = '+15551230004';
      const second = await send(to, 'two');
      const recorded = await eventually(async () => {
        const m = await message(second);
        return m.error?.code === 'provider_id_unrecorded' ? m : null;
      });
      expect(recorded.status).toBe('sent');
      await harness.t.ctx.queue.drain();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(requestsTo(to)).toBe(1);
    } finally {
      harness.emulator.faults.reuseSid = null;
    }
  });
});

describe('a send interrupted while it was handed to the provider', () => {
  const harness = twilioOnEmulator({ workers: false });

  it('is not sent again after the process ended mid-request, and says why; an untouched send goes out once', async () => {
    const accept = async (to: string) => {
      const response = await harness.t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: harness.tenant.auth, payload: { from: OUR, to, body: 'crash window' } });
      expect(response.statusCode, response.body).toBe(202);
      return response.json().id as string;
    };
    const interrupted = await accept('+15551239001');
    const untouched = await accept('+15551239002');
    // What a SIGKILL between the provider request and its answer leaves behind: the dispatch mark.
    await harness.t.ctx.db.insertInto('send_dispatches').values({ message_id: interrupted, started_at: new Date().toISOString() }).execute();
    harness.t.ctx.queue.start();
    await harness.t.ctx.queue.drain();
    const get = async (id: string) => (await harness.t.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: harness.tenant.auth })).json();
    const requestsTo = (to: string) => harness.emulator.requests.filter((r) => new URLSearchParams(r.text).get('To') === to).length;
    const left = await get(interrupted);
    expect(left.error.code).toBe('outcome_unknown');
    expect(left.error.message).toMatch(/stopped .* while handing the message to the provider/);
    expect(requestsTo('+15551239001')).toBe(0);
    const sent = await eventually(async () => {
      const m = await get(untouched);
      return m.providerMessageId ? m : null;
    });
    expect(sent.error).toBeNull();
    expect(requestsTo('+15551239002')).toBe(1);
    // Once the provider answered, the mark is gone with it.
    expect(await harness.t.ctx.db.selectFrom('send_dispatches').select('message_id').where('message_id', '=', untouched).execute()).toEqual([]);
  });
});
