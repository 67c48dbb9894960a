/**
 * The send job takes the message row accept committed (a handoff) instead of reading it back.
 * A handed-over row is trusted only while the database still has the message queued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator } from '../../src/providers/twilio/twilio.emulator.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const credentials = { accountSid: 'AC' + '2'.repeat(32), authToken: 'e'.repeat(32) };
const OUR = '+15005550006';

describe('send job handoff', () => {
  let t: TestApp;
  let tenant: Tenant;
  let emulator: Awaited<ReturnType<typeof startTwilioEmulator>>;
  beforeAll(async () => {
    // Workers start only once the test has changed the database behind the kept handoffs.
    t = await createTestApp({ workers: false });
    tenant = await createTestTenant(t.ctx);
    emulator = await startTwilioEmulator({ ...credentials, callbackDelayMs: 0 });
    await createAccountAndNumber(t.app, tenant, { type: 'twilio', credentials, baseUrl: emulator.baseUrl, number: OUR, mps: 0 });
  });
  afterAll(async () => {
    await t.ctx.queue.stop();
    await emulator.close();
    await t.close();
  });

  const send = async (body: string) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: OUR, to: '+15551234567', body } });
    expect(response.statusCode, response.body).toBe(202);
    return response.json().id as string;
  };
  const statusOf = async (id: string) => (await t.ctx.db.selectFrom('messages').select(['status', 'provider_message_id']).where('id', '=', id).executeTakeFirst()) ?? null;

  it('sends the handed-over message once, and never one deleted or moved on since accept', async () => {
    const untouched = await send('untouched');
    const deleted = await send('deleted after accept');
    const failed = await send('failed after accept');
    await t.ctx.db.deleteFrom('message_status').where('message_id', '=', deleted).execute();
    await t.ctx.db.deleteFrom('messages').where('id', '=', deleted).execute();
    await t.ctx.db.updateTable('messages').set({ status: 'failed', error_code: 'operator', error_message: 'stopped by an operator' }).where('id', '=', failed).execute();

    t.ctx.queue.start();
    await eventually(async () => (await statusOf(untouched))?.provider_message_id);
    await eventually(async () => (await t.ctx.db.selectFrom('jobs').select('id').execute()).length === 0);

    const bodies = emulator.requests.map((request) => new URLSearchParams(request.text).get('Body'));
    expect(bodies).toEqual(['untouched']);
    expect(await statusOf(deleted)).toBeNull();
    expect(await statusOf(failed)).toEqual({ status: 'failed', provider_message_id: null });
    const history = await t.ctx.db.selectFrom('message_status').select('status').where('message_id', '=', failed).execute();
    expect(history.map((row) => row.status)).not.toContain('sending');
  });
});
