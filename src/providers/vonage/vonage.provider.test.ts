import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import type { AdapterDeps, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import type { RecordedRequest, SignedWebhook } from '../testing/emulator.js';
import { startVonageEmulator, type VonageEmulator } from './vonage.emulator.js';
import { createVonageProvider, vonageApi } from './vonage.provider.js';
import { isValidVonageSmsSignature, sha256Hex, signJwt, verifyRs256, vonageSmsSignature } from './vonage.signature.js';
import { loadWebhookFixture } from '../testing/fixtures.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const smsCredentials = { api: 'sms', apiKey: 'abcd1234', apiSecret: 'test-api-secret', signatureSecret: 'test-signature-secret', signatureMethod: 'sha256' };
const messagesCredentials = { api: 'messages', apiKey: 'abcd1234', signatureSecret: 'test-signature-secret', applicationId: 'aaaaaaaa-0000-1111-2222-333333333333', privateKey };
const json = (request: RecordedRequest) => JSON.parse(request.text);
const stale = (credentials: object) => (emulator: unknown, webhookUrl: string) =>
  (emulator as VonageEmulator).buildInbound({ webhookUrl, from: '+15551234567', to: '+15005550006', body: 'Stale hello' }, new Date(Date.now() - 10 * 60_000));

describe('api=sms', () => {
  describeProviderContract({
    type: 'vonage',
    credentials: smsCredentials,
    mms: false,
    startEmulator: (deliver) => startVonageEmulator({ ...smsCredentials, api: 'sms', signatureMethod: 'sha256', deliver }),
    expectSendRequest(request, sent) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/sms/json');
      expect(request.headers['content-type']).toBe('application/json');
      expect(json(request)).toEqual({
        api_key: smsCredentials.apiKey,
        api_secret: smsCredentials.apiSecret,
        from: sent.from.slice(1),
        to: sent.to.slice(1),
        text: sent.body,
        type: 'text',
        callback: expect.stringMatching(/^http:\/\/switchboard\.test\/webhook\/vonage\/sms\/pa_/),
        'status-report-req': true,
        'client-ref': expect.stringMatching(/^msg_/),
      });
    },
    // The SMS API signs with a `sig` body parameter, not a header.
    unsign: (webhook: SignedWebhook) => {
      const params = new URLSearchParams(webhook.body);
      params.delete('sig');
      return { ...webhook, body: params.toString() };
    },
    stale: stale(smsCredentials),
    errors: [
      { status: 200, body: { 'message-count': '1', messages: [{ status: '3', 'error-text': 'Invalid to param' }] }, expect: { code: '3' } },
      { status: 200, body: { 'message-count': '1', messages: [{ status: '9', 'error-text': 'Quota Exceeded - rejected' }] }, expect: { code: '9' } },
      { status: 200, body: { 'message-count': '1', messages: [{ status: '4', 'error-text': 'Bad Credentials' }] }, expect: { code: '4' } },
      { status: 200, body: { 'message-count': '1', messages: [{ status: '1', 'error-text': 'Throughput Rate Exceeded' }] }, expect: 'retry' },
      { status: 500, body: 'Internal Server Error', expect: 'retry' },
    ],
    statuses: { accepted: 'sent', buffered: 'sent', delivered: 'delivered', expired: 'undelivered', failed: 'undelivered', rejected: 'failed', unknown: 'sent' },
  });
});

describe('api=messages', () => {
  describeProviderContract({
    type: 'vonage',
    credentials: messagesCredentials,
    startEmulator: (deliver) => startVonageEmulator({ ...messagesCredentials, apiSecret: '', api: 'messages', deliver }),
    expectSendRequest(request, sent) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/v1/messages');
      expect(request.headers['content-type']).toBe('application/json');
      const claims = verifyRs256(String(request.headers.authorization).replace(/^Bearer /, ''), privateKey);
      expect(claims).toMatchObject({ application_id: messagesCredentials.applicationId, jti: expect.any(String) });
      expect(Number(claims!.exp) - Number(claims!.iat)).toBe(900);
      const common = { to: sent.to.slice(1), from: sent.from.slice(1), client_ref: expect.stringMatching(/^msg_/), webhook_url: expect.stringMatching(/^http:\/\/switchboard\.test\/webhook\/vonage\/sms\/pa_/), webhook_version: 'v1' };
      if (sent.mediaUrls.length === 0) expect(json(request)).toEqual({ message_type: 'text', channel: 'sms', text: sent.body, ...common });
      else expect(json(request)).toEqual({ message_type: 'image', channel: 'mms', image: { url: sent.mediaUrls[0], caption: sent.body }, ...common });
    },
    stale: stale(messagesCredentials),
    errors: [
      { status: 422, body: { type: 'https://developer.nexmo.com/api-errors/messages-olympus#1150', title: 'Invalid params', detail: 'The value of the `to` parameter is invalid.' }, expect: { code: '1150' } },
      { status: 401, body: { type: 'https://developer.nexmo.com/api-errors#unauthorized', title: 'Invalid Token' }, expect: { code: 'unauthorized' } },
      { status: 402, body: { type: 'https://developer.nexmo.com/api-errors#low-balance', title: 'Low balance', detail: 'This request could not be performed due to your account balance being low.' }, expect: { code: 'low-balance' } },
      { status: 429, body: { type: 'https://developer.nexmo.com/api-errors#throttled', title: 'Rate Limit Hit' }, expect: 'retry' },
      { status: 503, body: { title: 'Service Unavailable' }, expect: 'retry' },
    ],
    statuses: { submitted: 'sent', delivered: 'delivered', read: 'delivered', rejected: 'failed', undeliverable: 'undelivered' },
  });
});

// Recorded payloads (scrubbed, re-signed with the test secret at 2025-01-01T12:00:00Z).
const FIXED_NOW = new Date('2025-01-01T12:01:00Z');
function adapter(credentials: Record<string, string>, fetchImpl: typeof fetch = () => Promise.reject(new Error('no network in tests')), now = FIXED_NOW) {
  const deps: AdapterDeps = { fetch: fetchImpl, clock: () => now, readOwnMedia: async () => null, loopback: async () => undefined };
  return createVonageProvider({ id: 'pa_fixture', tenantId: 't', type: 'vonage', credentials, baseUrl: 'https://api.nexmo.com', webhookUrl: 'https://switchboard.example.com/webhook/vonage/sms/pa_fixture' }, deps);
}
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);
const withBody = (request: WebhookRequest, body: string): WebhookRequest => ({ ...request, rawBody: Buffer.from(body) });

describe('vonage recorded webhooks', () => {
  const cases: Array<[string, 'sms' | 'messages', Record<string, unknown>]> = [
    ['sms-inbound-text', 'sms', { inbound: [{ providerMessageId: '0A0000000123ABCD1', from: '+447700900001', to: ['+447700900000'], body: 'Hello world & friends = all', media: [], receivedAt: '2025-01-01T12:00:00Z' }] }],
    ['sms-inbound-unicode-json', 'sms', { inbound: [{ providerMessageId: '0A0000000123ABCD2', body: 'Grüße 👋' }] }],
    ['sms-inbound-get', 'sms', { inbound: [{ providerMessageId: '0A0000000123ABCD3', from: '+15551234567', to: ['+15005550006'], body: 'via GET' }] }],
    ['sms-inbound-concat-part', 'sms', { inbound: [{ providerMessageId: '0A0000000123ABCD4', body: 'first part of a long message' }] }],
    ['sms-dlr-accepted', 'sms', { statuses: [{ providerMessageId: '0A0000000123ABCD9', status: 'sent', providerStatus: 'accepted' }] }],
    ['sms-dlr-buffered', 'sms', { statuses: [{ status: 'sent', providerStatus: 'buffered' }] }],
    ['sms-dlr-delivered', 'sms', { statuses: [{ status: 'delivered', providerStatus: 'delivered', at: '2025-01-01T12:00:00Z' }] }],
    ['sms-dlr-expired', 'sms', { statuses: [{ status: 'undelivered', providerStatus: 'expired', errorCode: '1' }] }],
    ['sms-dlr-failed', 'sms', { statuses: [{ status: 'undelivered', providerStatus: 'failed', errorCode: '9', errorMessage: expect.stringMatching(/opted out/), optedOut: true }] }],
    ['sms-dlr-rejected', 'sms', { statuses: [{ status: 'failed', providerStatus: 'rejected', errorCode: '6', errorMessage: expect.stringMatching(/spam/i), optedOut: false }] }],
    ['sms-dlr-unknown', 'sms', { statuses: [{ status: 'sent', providerStatus: 'unknown' }] }],
    ['messages-inbound-sms', 'messages', { inbound: [{ providerMessageId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab', from: '+447700900001', to: ['+447700900000'], body: 'Hello from Messages', media: [] }] }],
    ['messages-inbound-mms', 'messages', { inbound: [{ from: '+15551234567', body: 'Look at this', media: [{ url: 'https://api-us.nexmo.com/v3/media/aaaaaaaa-1111-2222-3333-444444444444' }] }] }],
    ['messages-status-submitted', 'messages', { statuses: [{ status: 'sent', providerStatus: 'submitted' }] }],
    ['messages-status-delivered', 'messages', { statuses: [{ status: 'delivered', providerStatus: 'delivered', at: '2025-01-01T12:00:00Z' }] }],
    ['messages-status-read', 'messages', { statuses: [{ status: 'delivered', providerStatus: 'read' }] }],
    ['messages-status-rejected', 'messages', { statuses: [{ status: 'failed', providerStatus: 'rejected', errorCode: '1320', errorMessage: expect.stringMatching(/opt-out/), optedOut: true }] }],
    ['messages-status-undeliverable', 'messages', { statuses: [{ status: 'undelivered', providerStatus: 'undeliverable', errorCode: '1300', optedOut: false }] }],
  ];
  for (const [name, api, expected] of cases) {
    it(`verifies and parses ${name}`, async () => {
      const vonage = adapter(api === 'sms' ? smsCredentials : messagesCredentials);
      const request = fixture(name);
      await vonage.verifyWebhook(request);
      const parsed = vonage.parseWebhook(request);
      expect(parsed).toMatchObject({ inbound: [], statuses: [], ...expected });
    });
  }

  it('refuses a recorded webhook once it is stale, or signed with another secret', async () => {
    for (const [name, credentials] of [['sms-dlr-delivered', smsCredentials], ['messages-status-delivered', messagesCredentials]] as const) {
      await expect(adapter(credentials, undefined, new Date('2025-01-01T12:10:00Z')).verifyWebhook(fixture(name))).rejects.toMatchObject({ reason: 'stale_signature' });
      await expect(adapter({ ...credentials, signatureSecret: 'other' }).verifyWebhook(fixture(name))).rejects.toMatchObject({ reason: 'bad_signature' });
    }
  });

  it('refuses truncated and tampered bodies before parsing', async () => {
    for (const [name, credentials] of [['sms-inbound-text', smsCredentials], ['messages-inbound-sms', messagesCredentials]] as const) {
      const request = fixture(name);
      const body = request.rawBody.toString();
      for (const altered of [body.slice(0, body.length / 2), body.replace('Hello', 'Hallo'), '', '{not json']) {
        await expect(adapter(credentials).verifyWebhook(withBody(request, altered))).rejects.toBeInstanceOf(WebhookAuthError);
      }
    }
  });

  it('refuses a Messages JWT that is unsigned or RS256', async () => {
    const request = fixture('messages-status-delivered');
    const claims = { iat: 1735732800, payload_hash: sha256Hex(request.rawBody) };
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const rs256 = signJwt(claims, privateKey, 'RS256');
    for (const token of [none, rs256, 'garbage']) {
      await expect(adapter(messagesCredentials).verifyWebhook({ ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } })).rejects.toMatchObject({ reason: 'bad_signature' });
    }
  });

  it('answers malformed bodies with MalformedWebhookError', () => {
    const sms = adapter(smsCredentials);
    const messages = adapter(messagesCredentials);
    const form = fixture('sms-inbound-text');
    for (const body of ['', '{"msisdn":', 'msisdn=447700900001&text=hi', 'messageId=1&text=no+numbers']) expect(() => sms.parseWebhook(withBody(form, body))).toThrow(MalformedWebhookError);
    const event = fixture('messages-inbound-sms');
    for (const body of ['', '{', '[]', '"text"', '{"status":"delivered"}', '{"message_uuid":"x","text":"no from"}', '{"message_uuid":"x","from":"1","to":"2","image":{}}']) {
      expect(() => messages.parseWebhook(withBody(event, body)), body).toThrow(MalformedWebhookError);
    }
  });
});

describe('vonage signatures', () => {
  const params = { msisdn: '447700900001', to: '447700900000', messageId: '0A0000000123ABCD1', text: 'Hello world', type: 'text', keyword: 'HELLO', 'api-key': 'abcd1234', 'message-timestamp': '2020-01-01 12:00:00', timestamp: '1577880000', nonce: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab' };

  it('matches the @vonage/sms vectors for md5hash and HMAC-SHA256', () => {
    expect(vonageSmsSignature(params, 'my_signature_secret', 'md5hash')).toBe('5bd23c5ef314fc926498e1f1ebc6a209');
    expect(vonageSmsSignature(params, 'my_signature_secret', 'sha256')).toBe('43cdaaa2b2147fef12850b2e138682752c3be49e283d81da3c9825044436dbc2');
  });

  it('detects the method from the digest length unless one is configured', () => {
    const md5 = vonageSmsSignature(params, 'my_signature_secret', 'md5hash');
    const sha512 = vonageSmsSignature(params, 'my_signature_secret', 'sha512');
    expect(isValidVonageSmsSignature(params, 'my_signature_secret', md5.toUpperCase())).toBe(true);
    expect(isValidVonageSmsSignature(params, 'my_signature_secret', sha512)).toBe(true);
    expect(isValidVonageSmsSignature(params, 'my_signature_secret', md5, 'sha256')).toBe(false);
    expect(isValidVonageSmsSignature({ ...params, text: 'Hello world!' }, 'my_signature_secret', md5)).toBe(false);
  });

  it('matches the documented payload_hash vector', () => {
    const body = '{"message_uuid":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab","to":"447700900000","from":"447700900001","timestamp":"2025-01-01T12:00:00Z","status":"delivered","channel":"sms"}';
    expect(sha256Hex(body)).toBe('34190012c2cb9c474996c0ac91330ec9c7d184832a422c69e586fbfdcd994f15');
  });
});

describe('vonage sends', () => {
  const message = { id: 'msg_1', from: '+15005550006', to: ['+15551234567'], body: 'Hi', mediaUrls: [], statusCallbackUrl: 'https://switchboard.example.com/webhook/vonage/sms' };
  const answer = (status: number, body: unknown) => async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('chooses the API from credentials', () => {
    expect(vonageApi({ apiKey: 'k', apiSecret: 's' })).toBe('sms');
    expect(vonageApi({ applicationId: 'a', privateKey: 'p' })).toBe('messages');
    expect(vonageApi({ api: 'sms', applicationId: 'a', privateKey: 'p' })).toBe('sms');
  });

  it('keeps the first accepted part of a long SMS and fails only when every part failed', async () => {
    const parts = [{ status: '5', 'error-text': 'Internal Error' }, { status: '0', 'message-id': '0B0000000000PART2' }];
    await expect(adapter(smsCredentials, answer(200, { 'message-count': '2', messages: parts })).send(message)).resolves.toMatchObject({ providerMessageId: '0B0000000000PART2' });
    const failed = adapter(smsCredentials, answer(200, { 'message-count': '1', messages: [{ status: '7', 'error-text': 'Number barred' }] })).send(message);
    await expect(failed).rejects.toMatchObject({ kind: 'opted_out', code: '7', retryable: false });
    await expect(adapter(smsCredentials, answer(200, { 'message-count': '1', messages: [{ status: '5' }] })).send(message)).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('sends unicode text as type unicode and refuses media on the SMS API', async () => {
    let sent: Record<string, unknown> = {};
    const capture = async (_url: RequestInfo | URL, init?: RequestInit) => {
      sent = JSON.parse(String(init?.body));
      return new Response(JSON.stringify({ 'message-count': '1', messages: [{ status: '0', 'message-id': 'X1' }] }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    await adapter(smsCredentials, capture as typeof fetch).send({ ...message, body: 'Grüße 👋' });
    expect(sent.type).toBe('unicode');
    await expect(adapter(smsCredentials).send({ ...message, mediaUrls: ['https://x.test/a.png'] })).rejects.toBeInstanceOf(UnsupportedCapabilityError);
    await expect(adapter({ ...smsCredentials, apiSecret: '' }).send(message)).rejects.toMatchObject({ kind: 'auth_failed' });
  });

  it('downloads Vonage-hosted MMS media with the application JWT only after a 401, and never sends it elsewhere', async () => {
    const seen: Array<{ url: string; auth: string | null }> = [];
    const media = (async (url: RequestInfo | URL, init?: RequestInit) => {
      const auth = new Headers(init?.headers).get('authorization');
      seen.push({ url: String(url), auth });
      return auth ? new Response(Buffer.from('png'), { status: 200, headers: { 'content-type': 'image/png' } }) : new Response('', { status: 401 });
    }) as typeof fetch;
    const vonage = adapter(messagesCredentials, media);
    await expect(vonage.fetchMedia('https://api-us.nexmo.com/v3/media/abc')).resolves.toMatchObject({ contentType: 'image/png' });
    expect(seen.map((s) => Boolean(s.auth))).toEqual([false, true]);
    expect(verifyRs256(seen[1]!.auth!.replace('Bearer ', ''), privateKey)).toBeTruthy();
    await expect(vonage.fetchMedia('https://evil.example.com/a.png')).rejects.toBeInstanceOf(ProviderError);
    expect(seen.at(-1)).toEqual({ url: 'https://evil.example.com/a.png', auth: null });
  });
});
