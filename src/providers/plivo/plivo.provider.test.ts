import { describe, expect, it } from 'vitest';
import { MalformedWebhookError, WebhookAuthError } from '../core/errors.js';
import type { AdapterDeps, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { startPlivoEmulator } from './plivo.emulator.js';
import { createPlivoProvider } from './plivo.provider.js';
import { plivoSignatureV3, plivoSignedString } from './plivo.signature.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';

const credentials = { authId: 'MAZDQ1ZJIYMDZKMMZKYM', authToken: 'test-plivo-auth-token-0123456789' };

describeProviderContract({
  type: 'plivo',
  credentials,
  startEmulator: (deliver) => startPlivoEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/v1/Account/${credentials.authId}/Message/`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Basic ' + Buffer.from(`${credentials.authId}:${credentials.authToken}`).toString('base64'));
    const body = JSON.parse(request.text);
    const isMms = sent.mediaUrls.length > 0;
    expect(body).toEqual({
      src: sent.from.replace('+', ''),
      dst: sent.to.replace('+', ''),
      text: sent.body,
      type: isMms ? 'mms' : 'sms',
      ...(isMms ? { media_urls: sent.mediaUrls } : {}),
      url: expect.stringMatching(/^http:\/\/switchboard\.test\/webhook\/plivo\/sms\/pa_/),
      method: 'POST',
    });
  },
  errors: [
    { status: 400, body: { api_id: 'a1', error: 'invalid dst number 1555' }, expect: { code: 'invalid_number' } },
    { status: 400, body: { api_id: 'a2', error: 'insufficient credit to send message' }, expect: { code: 'insufficient_funds' } },
    { status: 400, body: { api_id: 'a3', error: 'src parameter not present' }, expect: { code: 'rejected' } },
    { status: 401, body: { api_id: 'a4', error: 'Authentication credentials invalid' }, expect: { code: 'auth_failed' } },
    { status: 429, body: { api_id: 'a5', error: 'too many requests' }, expect: 'retry' },
    { status: 500, body: { api_id: 'a6', error: 'internal server error' }, expect: 'retry' },
  ],
  statuses: { queued: 'queued', sent: 'sent', delivered: 'delivered', read: 'delivered', undelivered: 'undelivered', failed: 'failed', rejected: 'failed' },
});

const deps: AdapterDeps = offlineDeps;
const adapter = createPlivoProvider({ id: 'pa_1', tenantId: 't_1', type: 'plivo', credentials, baseUrl: null, webhookUrl: 'https://pbx.example.com/webhook/plivo/sms' }, deps);

const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('plivo signature (V3, as the official SDK computes it)', () => {
  const params: Array<[string, string]> = [['From', '14155550100'], ['To', '14155550199'], ['Text', 'hi'], ['Type', 'sms'], ['MessageUUID', 'abc']];
  it('sorts the query and the POST params into the signed string', () => {
    expect(plivoSignedString('POST', 'https://example.com/plivo/sms?b=2&a=1', params)).toBe('https://example.com/plivo/sms?a=1&b=2.From14155550100MessageUUIDabcTexthiTo14155550199Typesms');
    expect(plivoSignedString('GET', 'https://example.com/plivo/sms?b=2&a=1', [])).toBe('https://example.com/plivo/sms?a=1&b=2');
    expect(plivoSignedString('POST', 'https://example.com/plivo/sms', [])).toBe('https://example.com/plivo/sms');
  });
  it('matches the reference vectors', () => {
    expect(plivoSignatureV3('MY_AUTH_TOKEN', 'POST', 'https://example.com/plivo/sms?b=2&a=1', params, '12345678901234567890')).toBe('o569qABHUJvLUJpkzcOckZh3APhsADe/3XBmreKw2uM=');
    expect(plivoSignatureV3('MY_AUTH_TOKEN', 'POST', 'https://example.com/plivo/sms', params, '12345678901234567890')).toBe('5ZSJArs3ZB1nQAuELsajaTCrmq30lReZV0BByDSHhuA=');
  });
});

describe('plivo recorded webhooks', () => {
  const statusCases: Array<[string, Record<string, unknown>]> = [
    ['status-queued', { status: 'queued', providerStatus: 'queued' }],
    ['status-sent', { status: 'sent', providerStatus: 'sent' }],
    ['status-delivered', { status: 'delivered', providerStatus: 'delivered' }],
    ['status-read', { status: 'delivered', providerStatus: 'read' }],
    ['status-undelivered-opted-out', { status: 'undelivered', errorCode: '200', errorMessage: expect.stringContaining('opted out'), optedOut: true }],
    ['status-failed-insufficient-credit', { status: 'failed', errorCode: '900', errorMessage: expect.stringContaining('insufficient credit'), optedOut: false }],
    ['status-rejected', { status: 'failed', providerStatus: 'rejected', errorCode: '30' }],
  ];
  for (const [name, expected] of statusCases) {
    it(`verifies and maps ${name}`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      const parsed = adapter.parseWebhook(request);
      expect(parsed.inbound).toEqual([]);
      expect(parsed.statuses).toEqual([expect.objectContaining({ providerMessageId: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196', ...expected })]);
      if (!('errorCode' in expected)) expect(parsed.statuses[0]!.errorCode).toBeUndefined();
    });
  }

  it('parses an inbound SMS into E.164 numbers', async () => {
    const request = fixture('inbound-sms');
    await adapter.verifyWebhook(request);
    expect(adapter.parseWebhook(request)).toMatchObject({
      statuses: [],
      inbound: [{ providerMessageId: '2a3c4f7e-0b8d-11ef-9c41-0242ac110003', from: '+14155550199', to: ['+14155550100'], body: 'Is my order ready?', media: [] }],
    });
  });

  it('parses an inbound MMS with its Body and numbered Media URLs in order', async () => {
    const request = fixture('inbound-mms');
    await adapter.verifyWebhook(request);
    const [message] = adapter.parseWebhook(request).inbound;
    expect(message!.body).toBe('Photo of the damage');
    expect(message!.media).toHaveLength(2);
    expect(message!.media[0]!.url).toContain('7d2c1e90');
    expect(message!.media[1]!.url).toContain('8e3d2fa1');
  });

  it('accepts zero-based Media0 numbering too', () => {
    const request = fixture('inbound-mms');
    request.rawBody = Buffer.from(request.rawBody.toString().replace('Media1=', 'Media0=').replace('Media2=', 'Media1='));
    expect(adapter.parseWebhook(request).inbound[0]!.media).toHaveLength(2);
  });

  it('refuses a tampered body, a wrong token, a missing nonce and a V2-only request', async () => {
    const genuine = fixture('inbound-sms');
    await expect(adapter.verifyWebhook({ ...genuine, rawBody: Buffer.from(genuine.rawBody.toString().replace('ready', 'READY')) })).rejects.toMatchObject({ reason: 'bad_signature' });
    const other = createPlivoProvider({ id: 'pa_2', tenantId: 't_1', type: 'plivo', credentials: { ...credentials, authToken: 'another-token' }, baseUrl: null, webhookUrl: genuine.url }, deps);
    await expect(other.verifyWebhook(genuine)).rejects.toBeInstanceOf(WebhookAuthError);
    const { 'x-plivo-signature-v3-nonce': _nonce, ...withoutNonce } = genuine.headers;
    await expect(adapter.verifyWebhook({ ...genuine, headers: withoutNonce })).rejects.toMatchObject({ reason: 'missing_signature' });
    const v2Only = { 'content-type': 'application/x-www-form-urlencoded', 'x-plivo-signature-v2': 'abc=', 'x-plivo-signature-v2-nonce': '123' };
    await expect(adapter.verifyWebhook({ ...genuine, headers: v2Only })).rejects.toMatchObject({ reason: 'missing_signature' });
  });

  it('rejects malformed and truncated bodies as malformed', () => {
    const genuine = fixture('inbound-mms').rawBody.toString();
    const bodies = ['', '{not json', 'From=14155550199&To=14155550100&Type=sms', genuine.slice(0, genuine.indexOf('&MediaCount')) + '&MediaCount=2&MessageUUID=x', genuine.replace('MediaCount=2', 'MediaCount=3')];
    for (const body of bodies) {
      expect(() => adapter.parseWebhook({ ...fixture('inbound-mms'), rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
    }
  });

  it('sends Basic auth only to Plivo media hosts', async () => {
    const seen: Array<[string, string | null]> = [];
    const fetchSpy = (async (url: string, init: RequestInit) => {
      seen.push([url, new Headers(init.headers).get('authorization')]);
      return new Response(Buffer.from('img'), { headers: { 'content-type': 'image/jpeg' } });
    }) as unknown as typeof fetch;
    const withFetch = createPlivoProvider({ id: 'pa_3', tenantId: 't_1', type: 'plivo', credentials, baseUrl: null, webhookUrl: 'https://x.test' }, { ...deps, fetch: fetchSpy });
    await withFetch.fetchMedia('https://media.plivo.com/Account/X/Media/1');
    await withFetch.fetchMedia('https://cdn.example.com/a.jpg');
    expect(seen[0]![1]).toMatch(/^Basic /);
    expect(seen[1]![1]).toBeNull();
  });
});
