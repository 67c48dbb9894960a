import { describe, expect, it } from 'vitest';
import { MalformedWebhookError } from '../core/errors.js';
import { basicAuth } from '../core/http.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { startFlowrouteEmulator } from './flowroute.emulator.js';
import { createFlowrouteProvider } from './flowroute.provider.js';

const credentials = { accessKey: '81215430', secretKey: 'sk_test_0123456789abcdef0123456789abcdef' };

describeProviderContract({
  type: 'flowroute',
  credentials,
  authScheme: 'url-token',
  startEmulator: (deliver) => startFlowrouteEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v2.2/messages');
    expect(request.headers['content-type']).toBe('application/vnd.api+json');
    expect(request.headers.authorization).toBe(basicAuth(credentials.accessKey, credentials.secretKey));
    const media = sent.mediaUrls.length > 0 ? { media_urls: sent.mediaUrls, is_mms: true } : {};
    expect(JSON.parse(request.text)).toEqual({
      data: { type: 'message', attributes: { to: sent.to, from: sent.from, body: sent.body, dlr_callback: expect.stringMatching(/\/webhook\/flowroute\/sms\/[^?]+\?token=/), ...media } },
    });
  },
  errors: [
    { status: 422, body: { errors: [{ id: 'e1', status: 422, title: 'Unprocessable Entity', detail: 'Invalid to number' }] }, expect: { code: 'invalid_number' } },
    { status: 401, body: { errors: [{ id: 'e2', status: 401, title: 'Unauthorized', detail: 'Authentication credentials were missing or incorrect' }] }, expect: { code: 'auth_failed' } },
    { status: 403, body: { errors: [{ id: 'e3', status: 403, title: 'Forbidden', detail: 'This number is not enabled for messaging' }] }, expect: { code: 'auth_failed' } },
    { status: 402, body: { errors: [{ id: 'e4', status: 402, title: 'Payment Required', detail: 'Insufficient account balance' }] }, expect: { code: 'insufficient_funds' } },
    { status: 429, body: { errors: [{ id: 'e5', status: 429, title: 'Too Many Requests', detail: 'Rate limit exceeded' }] }, expect: 'retry' },
    { status: 502, body: { errors: [{ id: 'e6', status: 502, title: 'Bad Gateway', detail: 'upstream error' }] }, expect: 'retry' },
  ],
  statuses: { 'message buffered': 'sent', 'smsc submit': 'sent', delivered: 'delivered', undelivered: 'undelivered', expired: 'undelivered', rejected: 'failed', failed: 'failed' },
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = { ...offlineDeps, clock: () => new Date('2024-05-28T12:40:00Z') };
const account = { id: 'pa_01HX8F', tenantId: 't_1', type: 'flowroute', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/flowroute/sms/pa_01HX8F?token=${TOKEN}` };
const adapter = createFlowrouteProvider(account, deps);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);
const MDR = 'mdr2-39cadeace66e11e7aff806cd7f24ba2d';

describe('flowroute recorded webhooks', () => {
  const receipts: Array<[string, Record<string, unknown>]> = [
    ['status-message-buffered', { status: 'sent', providerStatus: 'message buffered', at: '2024-05-28T12:34:56.000Z' }],
    ['status-smsc-submit', { status: 'sent', providerStatus: 'smsc submit' }],
    ['status-delivered', { status: 'delivered', providerStatus: 'delivered' }],
    ['status-undelivered', { status: 'undelivered', errorCode: '1010', errorMessage: 'Unknown subscriber', optedOut: false }],
    ['status-expired', { status: 'undelivered', errorCode: '1020', errorMessage: 'Validity period expired' }],
    ['status-rejected', { status: 'failed', errorCode: '1030', errorMessage: 'Recipient has opted out (STOP)', optedOut: true }],
    ['status-failed', { status: 'failed', errorCode: '1040', optedOut: false }],
  ];
  for (const [name, expected] of receipts) {
    it(`maps ${name}`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      const parsed = adapter.parseWebhook(request);
      expect(parsed.inbound).toEqual([]);
      expect(parsed.statuses).toEqual([expect.objectContaining({ providerMessageId: MDR, ...expected })]);
    });
  }

  it('keeps an unknown status as sent with the raw word', () => {
    const request = fixture('status-smsc-submit');
    const body = request.rawBody.toString().replace('"smsc submit"', '"carrier hold"');
    expect(adapter.parseWebhook({ ...request, rawBody: Buffer.from(body) }).statuses[0]).toMatchObject({ status: 'sent', providerStatus: 'carrier hold', errorMessage: expect.stringContaining('unknown') });
  });

  it('parses an inbound SMS with 11-digit numbers made E.164', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound).toEqual([
      expect.objectContaining({ providerMessageId: 'mdr2-3a353498cb2811e7afa11ade1e71c584', from: '+12067392634', to: ['+12012673227'], body: 'Final test', media: [] }),
    ]);
  });

  it('parses an inbound MMS with its included media, dropping the SMIL part', () => {
    const [message] = adapter.parseWebhook(fixture('inbound-mms')).inbound;
    expect(message).toMatchObject({ body: 'Look at this', media: [{ url: 'https://mms-media-prod.s3.amazonaws.com/7c3b2a/IMG_0042.jpg', contentType: 'image/jpeg' }] });
    expect(message!.media).toHaveLength(1);
  });

  it('parses the flat v1 inbound shape and ignores outbound MDRs', () => {
    expect(adapter.parseWebhook(fixture('inbound-v1')).inbound[0]).toMatchObject({ providerMessageId: 'mdr1-b2a6b3c2cb2811e7afa11ade1e71c584', from: '+12067392634', body: 'Legacy account message' });
    expect(adapter.parseWebhook(fixture('inbound-outbound-mdr'))).toEqual({ inbound: [], statuses: [] });
  });

  it('refuses a missing or wrong URL token', async () => {
    const genuine = fixture('inbound-sms');
    await expect(adapter.verifyWebhook({ ...genuine, query: {} })).rejects.toMatchObject({ reason: 'missing_signature' });
    await expect(adapter.verifyWebhook({ ...genuine, query: { token: 'guess' } })).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects malformed, truncated and wrongly typed bodies', () => {
    const json = fixture('inbound-mms').rawBody.toString();
    const cases = [
      '',
      json.slice(0, Math.floor(json.length / 2)),
      '["not", "an", "object"]',
      '{"data": "message"}',
      '{"data": {"type": "message", "id": "mdr2-x"}}',
      '{"data": {"type": "message", "id": "mdr2-x", "attributes": {"body": "hi", "to": "12012673227"}}}',
      '{"data": {"type": "message", "id": ["mdr2-x"], "attributes": {"body": "hi", "from": "1", "to": "2"}}}',
      '{"data": {"type": "message", "id": "mdr2-x", "attributes": {"body": 5, "from": "1", "to": "2"}}}',
      '{"data": {"type": "message", "id": "mdr2-x", "attributes": {"body": "hi", "from": "1", "to": "2"}}, "included": {"type": "media"}}',
      '{"data": {"type": "message", "id": "mdr2-x", "attributes": {"body": "hi", "from": "1", "to": "2"}}, "included": [{"type": "media", "attributes": {"url": "javascript:alert(1)"}}]}',
      '{"data": {"type": "delivery_receipt", "id": "mdr2-x", "attributes": {"status": null}}}',
      '{"data": {"type": "account", "id": "x", "attributes": {}}}',
      '{"data": {"type": "message", "id": "mdr2-x\u0000", "attributes": {}}}',
    ];
    for (const body of cases) expect(() => adapter.parseWebhook({ ...fixture('inbound-sms'), rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
  });
});

describe('flowroute sends', () => {
  const message: OutboundMessage = { id: 'msg_1', from: '+12012673227', to: ['+12067392634'], body: 'It\u2019s \u201Cfine\u201D', mediaUrls: [], statusCallbackUrl: account.webhookUrl };
  const answering = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const requests: string[] = [];
    const fetchStub = (async (_url: string, init: RequestInit) => {
      requests.push(String(init.body));
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/vnd.api+json', ...headers } });
    }) as typeof fetch;
    return { adapter: createFlowrouteProvider(account, { ...deps, fetch: fetchStub }), requests };
  };

  it('sends typographic quotes as plain ones and reads the MDR id from a JSON:API answer', async () => {
    const { adapter: a, requests } = answering(202, { data: { type: 'message', id: MDR } });
    await expect(a.send(message)).resolves.toMatchObject({ providerMessageId: MDR, status: 'queued' });
    expect(JSON.parse(requests[0]!).data.attributes.body).toBe('It\'s "fine"');
  });

  it('bounds Retry-After on 429 and retries', async () => {
    const throttled = { errors: [{ status: 429, title: 'Too Many Requests', detail: 'slow down' }] };
    await expect(answering(429, throttled, { 'retry-after': '20' }).adapter.send(message)).rejects.toMatchObject({ kind: 'rate_limited', retryable: true, details: { retryAfterMs: 20_000 } });
    await expect(answering(429, throttled, { 'retry-after': '999999' }).adapter.send(message)).rejects.toMatchObject({ retryable: false });
  });

  it('sorts opted-out and invalid-number details into permanent kinds', async () => {
    await expect(answering(422, { errors: [{ status: 422, title: 'Unprocessable Entity', detail: 'Recipient has opted out of messages from this number' }] }).adapter.send(message)).rejects.toMatchObject({ kind: 'opted_out', retryable: false });
    await expect(answering(422, { errors: [{ status: 422, title: 'Unprocessable Entity', detail: 'Invalid to number' }] }).adapter.send(message)).rejects.toMatchObject({ kind: 'invalid_number' });
    await expect(answering(422, { errors: [{ status: 422, title: 'Unprocessable Entity', detail: 'from is not a Flowroute number on this account' }] }).adapter.send(message)).rejects.toMatchObject({ kind: 'rejected' });
  });

  it('treats a 202 without an id as an unknown outcome, never resent', async () => {
    await expect(answering(202, { data: { type: 'message' } }).adapter.send(message)).rejects.toMatchObject({ kind: 'outcome_unknown', retryable: false });
  });

  it('refuses a group send before calling Flowroute', async () => {
    const { adapter: a, requests } = answering(202, {});
    await expect(a.send({ ...message, to: ['+12067392634', '+12067392635'] })).rejects.toMatchObject({ kind: 'unsupported' });
    expect(requests).toEqual([]);
  });
});
