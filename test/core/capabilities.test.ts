import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG } from '../../src/providers/testing/emulator.js';
import { createAccountAndNumber, createTestApp, createTestTenant, type Tenant, type TestApp } from '../helper.js';

/**
 * POST /messages refuses, before anything is stored or queued, a message the number's provider
 * account cannot carry, with a 4xx whose code says why (issue 13, item 7).
 */
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const NUMBERS = {
  twilio: '+14155550101',
  bandwidth: '+14155550102',
  vonageSms: '+14155550103',
  vonageMessages: '+14155550104',
  clicksend: '+14155550105',
  bulkvs: '+14155550106',
  skyetel: '+14155550107',
  commio: '+14155550108',
  voipms: '+14155550109',
  questblue: '+14155550110',
  moving: '+14155550111',
};
/** The carriers whose adapters text only +1 and 10 digits (manifest `destinations: 'nanp'`). */
const NANP_ONLY = ['commio', 'voipms', 'questblue', 'bulkvs', 'skyetel'] as const;
const ABROAD = '+447700900123';
const REMOTE = '+14155550199';
const PICTURE = { url: 'https://cdn.example.com/a.png' };

describe('provider capabilities at POST /messages', () => {
  let harness: TestApp;
  let tenant: Tenant;
  const accountIds: Record<string, string> = {};

  const send = (payload: Record<string, unknown>) => harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload });
  const countRows = async () => {
    const count = async (table: 'messages' | 'jobs') => Number((await harness.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return { messages: await count('messages'), jobs: await count('jobs') };
  };
  const upload = async (bytes: Buffer) => {
    const boundary = '----capabilities';
    const payload = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const response = await harness.app.inject({ method: 'POST', url: '/api/v1/media', headers: { ...tenant.auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };

  beforeAll(async () => {
    // No workers: nothing here may reach a carrier; the refusals happen before anything is queued.
    harness = await createTestApp({ workers: false });
    tenant = await createTestTenant(harness.ctx);
    const base = 'http://127.0.0.1:9';
    const accounts: Array<[string, Record<string, string>, string]> = [
      ['twilio', { accountSid: 'AC00000000000000000000000000000000', authToken: 'token' }, NUMBERS.twilio],
      ['bandwidth', { accountId: '9900000', apiToken: 'user', apiSecret: 'secret', applicationId: 'app-1', callbackUsername: 'cb', callbackPassword: 'cb-password' }, NUMBERS.bandwidth],
      ['vonage', { api: 'sms', apiKey: 'abcd1234', apiSecret: 'secret', signatureSecret: 'signature' }, NUMBERS.vonageSms],
      ['vonage', { api: 'messages', signatureSecret: 'signature', applicationId: 'aaaaaaaa-0000-1111-2222-333333333333', privateKey }, NUMBERS.vonageMessages],
      ['clicksend', { username: 'user', apiKey: 'key' }, NUMBERS.clicksend],
      ['bulkvs', { apiUsername: 'user', apiToken: 'token' }, NUMBERS.bulkvs],
      ['skyetel', { sid: 'sid', secret: 'secret' }, NUMBERS.skyetel],
      ['commio', { accountId: '12345', username: 'user', apiToken: 'token' }, NUMBERS.commio],
      ['voipms', { apiUsername: 'user@example.com', apiPassword: 'password' }, NUMBERS.voipms],
      ['questblue', { login: 'user', password: 'password', securityKey: 'key' }, NUMBERS.questblue],
    ];
    for (const [type, credentials, number] of accounts) accountIds[type] = (await createAccountAndNumber(harness.app, tenant, { type, credentials, baseUrl: base, number })).accountId;
  });
  afterAll(async () => {
    await harness?.close();
  });

  const refusals: Array<[string, Record<string, unknown>, number, string, RegExp]> = [
    ['a group to a carrier without group MMS (Twilio)', { from: NUMBERS.twilio, to: [REMOTE, '+14155550198'], body: 'hi all', media: [PICTURE] }, 400, 'group_mms_unsupported', /2 recipients.*twilio cannot send/],
    ['a group to BulkVS', { from: NUMBERS.bulkvs, to: [REMOTE, '+14155550198'], body: 'hi all', media: [PICTURE] }, 400, 'group_mms_unsupported', /bulkvs/],
    ['media on a Vonage account on the SMS API', { from: NUMBERS.vonageSms, to: REMOTE, body: 'photo', media: [PICTURE] }, 400, 'mms_unsupported', /vonage does not send MMS/],
    ['more media than ClickSend takes', { from: NUMBERS.clicksend, to: REMOTE, body: 'photos', media: [PICTURE, { url: 'https://cdn.example.com/b.png' }] }, 400, 'too_many_media', /2 media items; clicksend accepts at most 1/],
    ['a body over BulkVS\'s 160 characters', { from: NUMBERS.bulkvs, to: REMOTE, body: 'x'.repeat(161) }, 400, 'body_too_long', /161 characters; bulkvs accepts at most 160/],
    ['a body over Skyetel\'s 1024 characters', { from: NUMBERS.skyetel, to: REMOTE, body: 'y'.repeat(1025) }, 400, 'body_too_long', /1025 characters; skyetel accepts at most 1024/],
  ];
  for (const [name, payload, status, code, message] of refusals) {
    it(`refuses ${name} with ${status} ${code} and stores nothing`, async () => {
      const before = await countRows();
      const response = await send(payload);
      expect(response.statusCode, response.body).toBe(status);
      expect(response.json().error).toMatchObject({ code, message: expect.stringMatching(message) });
      expect(await countRows()).toEqual(before);
    });
  }

  for (const type of NANP_ONLY) {
    it(`refuses a destination outside the US and Canada on ${type} with 400 destination_unsupported and stores nothing`, async () => {
      const before = await countRows();
      const response = await send({ from: NUMBERS[type], to: ABROAD, body: 'hello abroad' });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'destination_unsupported', message: `to "${ABROAD}" is outside the countries ${type} carries (US and Canada: +1 and 10 digits); send it from a number on a carrier that reaches it` });
      expect(await countRows()).toEqual(before);
      // Spaced as a person types it, the same number is refused the same way.
      const national = await send({ from: NUMBERS[type], to: '+44 7700 900123', body: 'hello abroad' });
      expect(national.json().error?.code, national.body).toBe('destination_unsupported');
      expect(await countRows()).toEqual(before);
    });
  }

  it('refuses a thread reply to a number abroad once the thread\'s number is on a NANP-only carrier', async () => {
    // The thread starts while the number is on Twilio, which reaches +44; then the number moves carrier.
    const { numberId } = await createAccountAndNumber(harness.app, tenant, { type: 'twilio', credentials: { accountSid: 'AC00000000000000000000000000000001', authToken: 'token' }, baseUrl: 'http://127.0.0.1:9', number: NUMBERS.moving });
    const first = await send({ from: NUMBERS.moving, to: ABROAD, body: 'hello from Twilio' });
    expect(first.statusCode, first.body).toBe(202);
    const reply = (payload: Record<string, unknown>) => harness.app.inject({ method: 'POST', url: `/api/v1/conversations/${first.json().conversationId}/messages`, headers: tenant.auth, payload });
    for (const type of NANP_ONLY) {
      const moved = await harness.app.inject({ method: 'PATCH', url: `/api/v1/numbers/${numberId}`, headers: tenant.auth, payload: { providerAccountId: accountIds[type] } });
      expect(moved.statusCode, moved.body).toBe(200);
      const before = await countRows();
      const response = await reply({ body: 'a reply' });
      expect(response.statusCode, `${type}: ${response.body}`).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'destination_unsupported', message: expect.stringContaining(`outside the countries ${type} carries`) });
      expect(await countRows()).toEqual(before);
    }
  });

  it('refuses uploaded media larger than ClickSend takes with 413 media_too_large', async () => {
    const id = await upload(Buffer.concat([TINY_PNG, Buffer.alloc(300 * 1024)]));
    const before = await countRows();
    const response = await send({ from: NUMBERS.clicksend, to: REMOTE, body: 'big', media: [{ id }] });
    expect(response.statusCode, response.body).toBe(413);
    expect(response.json().error).toMatchObject({ code: 'media_too_large', message: expect.stringMatching(/clicksend accepts at most 256000/) });
    expect(await countRows()).toEqual(before);
  });

  it('accepts what the account can carry: the same picture on Vonage Messages, a group MMS on Bandwidth, small uploads, limits met exactly', async () => {
    const id = await upload(TINY_PNG);
    const accepted: Array<Record<string, unknown>> = [
      { from: NUMBERS.vonageMessages, to: REMOTE, body: 'photo', media: [PICTURE] },
      { from: NUMBERS.bandwidth, to: [REMOTE, '+14155550198'], body: 'hi all', media: [PICTURE] },
      { from: NUMBERS.clicksend, to: REMOTE, body: 'small', media: [{ id }] },
      { from: NUMBERS.bulkvs, to: REMOTE, body: 'x'.repeat(160) },
      { from: NUMBERS.skyetel, to: REMOTE, body: 'y'.repeat(1024), media: [PICTURE] },
      // NANP-only carriers take any +1 and 10 digits, Canada's included.
      ...NANP_ONLY.map((type) => ({ from: NUMBERS[type], to: '+16135550123', body: 'hello Ottawa' })),
      { from: NUMBERS.twilio, to: ABROAD, body: 'Twilio reaches the UK' },
    ];
    for (const payload of accepted) {
      const response = await send(payload);
      expect(response.statusCode, `${payload.from}: ${response.body}`).toBe(202);
    }
  });

  it('lists each type with groupMms in GET /provider-types', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/provider-types', headers: tenant.auth });
    const types = Object.fromEntries((response.json().items as Array<{ type: string; capabilities: { groupMms?: boolean; statusCallbacks: boolean } }>).map((t) => [t.type, t.capabilities]));
    expect(types.bandwidth!.groupMms).toBe(true);
    expect(types.telnyx!.groupMms).toBe(true);
    expect(types.twilio!.groupMms).toBe(false);
    expect(types.bulkvs).toMatchObject({ groupMms: false, statusCallbacks: true, maxBodyLength: 160 });
    expect(types.skyetel).toMatchObject({ groupMms: false, statusCallbacks: false, maxBodyLength: 1024, destinations: 'nanp' });
    const fields = (type: string) => (response.json().items as Array<{ type: string; credentials: Array<{ env: string }> }>).find((t) => t.type === type)!.credentials.map((f) => f.env);
    // FS PBX's variable names for BulkVS, so its .env works unchanged.
    expect(fields('bulkvs')).toEqual(['BULKVS_API_USERNAME', 'BULKVS_API_TOKEN', 'BULKVS_BASIC_AUTH_HEADER']);
    expect(fields('skyetel')).toEqual(['SKYETEL_SID', 'SKYETEL_SECRET']);
  });
});
