import { describe, expect, it } from 'vitest';
import { MalformedWebhookError } from '../core/errors.js';
import { basicAuth } from '../core/http.js';
import { parseMultipartFields } from '../core/multipart.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { startCommioEmulator } from './commio.emulator.js';
import { createCommioProvider } from './commio.provider.js';

const credentials = { accountId: '11223', username: 'acme_api', apiToken: '3f631df0a3631df0a3-test' };

describeProviderContract({
  type: 'commio',
  credentials,
  authScheme: 'url-token',
  startEmulator: (deliver) => startCommioEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.headers.authorization).toBe(basicAuth(credentials.username, credentials.apiToken));
    const numbers = { from_did: sent.from.replace(/^\+1/, ''), to_did: sent.to.replace(/^\+1/, '') };
    if (sent.mediaUrls.length === 0) {
      expect(request.url).toBe(`/account/${credentials.accountId}/product/origination/sms/send`);
      expect(request.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request.text)).toEqual({ ...numbers, message: sent.body });
    } else {
      expect(request.url).toBe(`/account/${credentials.accountId}/product/origination/mms/send`);
      expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(parseMultipartFields(String(request.headers['content-type']), request.text)).toEqual({ ...numbers, media_url: sent.mediaUrls[0], message: sent.body });
    }
  },
  errors: [
    { status: 400, body: { error: 'Invalid to_did' }, expect: { code: 'invalid_number' } },
    { status: 400, body: { message: 'Recipient has opted out' }, expect: { code: 'opted_out' } },
    { status: 402, body: { error: 'Insufficient balance' }, expect: { code: 'insufficient_funds' } },
    { status: 401, body: { error: 'Unauthorized' }, expect: { code: 'auth_failed' } },
    { status: 429, body: { error: 'Too many requests' }, expect: 'retry' },
    { status: 503, body: { error: 'Service unavailable' }, expect: 'retry' },
  ],
  statuses: { DELIVRD: 'delivered', ACCEPTD: 'sent', ENROUTE: 'sent', UNKNOWN: 'sent', UNDELIV: 'undelivered', EXPIRED: 'undelivered', REJECTD: 'failed', DELETED: 'failed' },
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = { ...offlineDeps, clock: () => new Date('2024-05-28T12:40:00Z') };
const account = { id: 'pa_01HXAC', tenantId: 't_1', type: 'commio', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/commio/sms/pa_01HXAC?token=${TOKEN}` };
const adapter = createCommioProvider(account, deps);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('commio recorded webhooks', () => {
  const receipts: Array<[string, Record<string, unknown>]> = [
    ['status-delivrd', { status: 'delivered', providerStatus: 'DELIVRD', at: '2024-05-28T12:34:56.000Z' }],
    ['status-acceptd', { status: 'sent', providerStatus: 'ACCEPTD' }],
    ['status-enroute', { status: 'sent', providerStatus: 'ENROUTE' }],
    ['status-unknown', { status: 'sent', providerStatus: 'UNKNOWN' }],
    ['status-undeliv', { status: 'undelivered', errorCode: '005', errorMessage: 'undelivered (error 005)' }],
    ['status-expired', { status: 'undelivered', errorCode: '006' }],
    ['status-rejectd', { status: 'failed', errorCode: '00B' }],
    ['status-deleted', { status: 'failed', errorCode: '00A' }],
  ];
  for (const [name, expected] of receipts) {
    it(`maps ${name}`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      const parsed = adapter.parseWebhook(request);
      expect(parsed.inbound).toEqual([]);
      expect(parsed.statuses).toEqual([expect.objectContaining({ providerMessageId: '1002', ...expected })]);
    });
  }

  it('keeps an unknown status as sent with the raw word, and no error for code 000', () => {
    const request = fixture('status-delivrd');
    const update = adapter.parseWebhook({ ...request, rawBody: Buffer.from(request.rawBody.toString().replace('status=DELIVRD', 'status=HOLDING')) }).statuses[0];
    expect(update).toMatchObject({ status: 'sent', providerStatus: 'HOLDING', errorMessage: expect.stringContaining('unknown') });
    expect(adapter.parseWebhook(request).statuses[0]!.errorCode).toBeUndefined();
  });

  it('parses an inbound SMS with its X-sms-guid as the id', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound).toEqual([
      expect.objectContaining({ providerMessageId: 'b6f7c1d2-6c1e-4f7a-9e0b-2a4c8d1e9f01', from: '+12065551234', to: ['+12065551212'], body: 'hello world', media: [] }),
    ]);
  });

  it('reads 11-digit numbers, JSON bodies and the id field', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms-11-digits')).inbound[0]).toMatchObject({ from: '+12065551234', to: ['+12065551212'], providerMessageId: expect.stringMatching(/^commio-[0-9a-f]{32}$/) });
    expect(adapter.parseWebhook(fixture('inbound-json-sms')).inbound[0]).toMatchObject({ providerMessageId: '1002733', body: 'json variant' });
  });

  it('parses classic MMS parts: a link part is media, a text part is text', () => {
    expect(adapter.parseWebhook(fixture('inbound-mms-part-media')).inbound[0]).toMatchObject({ body: '', media: [{ url: 'https://media.thinq.com/mms/2024/05/06/7f3e2a/IMG_0042.jpg' }] });
    expect(adapter.parseWebhook(fixture('inbound-mms-part-text')).inbound[0]).toMatchObject({ body: 'caption sent as its own part', media: [] });
  });

  it('parses a single-webhook MMS with text and attachments, dropping SMIL', () => {
    expect(adapter.parseWebhook(fixture('inbound-mms-single-webhook')).inbound[0]).toMatchObject({ body: 'Look at this', media: [{ url: 'https://media.thinq.com/mms/2024/05/06/8a4f3b/IMG_0043.jpg', contentType: 'image/jpeg' }] });
  });

  it('refuses a missing or wrong URL token', async () => {
    const genuine = fixture('inbound-sms');
    await expect(adapter.verifyWebhook({ ...genuine, query: {} })).rejects.toMatchObject({ reason: 'missing_signature' });
    await expect(adapter.verifyWebhook({ ...genuine, query: { token: 'guess' } })).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects malformed, truncated and wrongly typed bodies', () => {
    const form = fixture('inbound-sms');
    const json = fixture('inbound-json-sms');
    const cases: Array<[WebhookRequest, string]> = [
      [form, ''],
      [form, form.rawBody.toString().slice(0, 20)],
      [form, 'message=hi&from=2065551234&type=sms'],
      [form, 'message=hi&from=not-a-number&type=sms&to=2065551212'],
      [form, 'message=hi&from=2065551234&type=fax&to=2065551212'],
      [form, 'message=&from=2065551234&type=sms&to=2065551212'],
      [form, 'message=hi&from=2065551234&type=mms&to=2065551212&attachments=%5B%22https%3A%2F%2Fa'],
      [form, 'guid=1002&status='],
      [form, 'message=hi%00&from=2065551234&type=sms&to=2065551212\u0000'],
      [json, '{"message": "hi", "from": ["2065551234"], "type": "sms", "to": "2065551212"}'],
      [json, '{"message": "hi", "from": "2065551234", "type": "mms", "to": "2065551212", "attachments": [5]}'],
      [json, '{"message": "hi", "from": '],
      [json, '["not", "an", "object"]'],
    ];
    for (const [request, body] of cases) expect(() => adapter.parseWebhook({ ...request, rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
  });
});

describe('commio sends', () => {
  const message: OutboundMessage = { id: 'msg_1', from: '+12065551212', to: ['+12067791234'], body: 'hi', mediaUrls: [], statusCallbackUrl: account.webhookUrl };
  const answering = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const requests: string[] = [];
    const fetchStub = (async (url: string) => {
      requests.push(String(url));
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
    }) as typeof fetch;
    return { adapter: createCommioProvider(account, { ...deps, fetch: fetchStub }), requests };
  };

  it('reads the guid and treats a 200 without one as an unknown outcome, never resent', async () => {
    await expect(answering(200, { guid: '1002' }).adapter.send(message)).resolves.toMatchObject({ providerMessageId: '1002', status: 'sent' });
    await expect(answering(200, {}).adapter.send(message)).rejects.toMatchObject({ kind: 'outcome_unknown', retryable: false });
  });

  it('bounds Retry-After on 429 and retries', async () => {
    await expect(answering(429, { error: 'Too many requests' }, { 'retry-after': '12' }).adapter.send(message)).rejects.toMatchObject({ kind: 'rate_limited', retryable: true, details: { retryAfterMs: 12_000 } });
    await expect(answering(429, { error: 'Too many requests' }, { 'retry-after': '86400' }).adapter.send(message)).rejects.toMatchObject({ retryable: false });
  });

  it('refuses groups, a second media file and non-NANP numbers before calling Commio', async () => {
    const { adapter: a, requests } = answering(200, { guid: '1' });
    await expect(a.send({ ...message, to: ['+12067791234', '+12067791235'] })).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(a.send({ ...message, mediaUrls: ['https://x.test/1.jpg', 'https://x.test/2.jpg'] })).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(a.send({ ...message, to: ['+447700900123'] })).rejects.toMatchObject({ kind: 'invalid_number' });
    expect(requests).toEqual([]);
  });
});
