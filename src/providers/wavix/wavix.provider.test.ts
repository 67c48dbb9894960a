import { describe, expect, it } from 'vitest';
import { MalformedWebhookError } from '../core/errors.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { startWavixEmulator } from './wavix.emulator.js';
import { createWavixProvider } from './wavix.provider.js';

const credentials = { apiKey: 'wvx_test_0123456789abcdef0123456789abcdef' };

describeProviderContract({
  type: 'wavix',
  credentials,
  authScheme: 'url-token',
  startEmulator: (deliver) => startWavixEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v3/messages');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe(`Bearer ${credentials.apiKey}`);
    expect(JSON.parse(request.text)).toEqual({
      from: sent.from,
      to: sent.to,
      message_body: { text: sent.body, media: sent.mediaUrls.length > 0 ? sent.mediaUrls : null },
      callback_url: expect.stringMatching(/\/webhook\/wavix\/sms\/[^?]+\?token=/),
    });
  },
  errors: [
    { status: 400, body: { success: false, message: 'Missing or invalid parameter to' }, expect: { code: 'invalid_number' } },
    { status: 402, body: { success: false, message: 'Insufficient balance' }, expect: { code: 'insufficient_funds' } },
    { status: 403, body: { success: false, message: 'The service is not provisioned for your account.' }, expect: { code: 'auth_failed' } },
    { status: 401, body: { success: false, message: 'Unauthorized' }, expect: { code: 'auth_failed' } },
    { status: 429, body: { success: false, message: 'Too many requests' }, expect: 'retry' },
    { status: 503, body: { success: false, message: 'Service unavailable' }, expect: 'retry' },
  ],
  statuses: { accepted: 'queued', pending: 'sending', sent: 'sent', delivered: 'delivered', undelivered: 'undelivered', expired: 'undelivered', rejected: 'failed', dlr_expired: 'sent' },
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = { ...offlineDeps, clock: () => new Date('2024-05-28T12:40:00Z') };
const account = { id: 'pa_1', tenantId: 't_1', type: 'wavix', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/wavix/sms?token=${TOKEN}` };
const adapter = createWavixProvider(account, deps);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('wavix recorded webhooks', () => {
  const reports: Array<[string, Record<string, unknown>]> = [
    ['status-accepted', { status: 'queued', providerStatus: 'accepted' }],
    ['status-pending', { status: 'sending', providerStatus: 'pending' }],
    ['status-sent', { status: 'sent', providerStatus: 'sent', at: '2024-05-28T12:34:54.000Z' }],
    ['status-delivered', { status: 'delivered', providerStatus: 'delivered', at: '2024-05-28T12:34:56.000Z' }],
    ['status-undelivered', { status: 'undelivered', errorCode: 'undelivered', errorMessage: 'Unknown subscriber', optedOut: false }],
    ['status-expired', { status: 'undelivered', errorCode: 'expired', errorMessage: 'Validity period expired' }],
    ['status-rejected', { status: 'failed', errorCode: 'rejected', errorMessage: 'Recipient opted out', optedOut: true }],
    ['status-dlr-expired', { status: 'sent', providerStatus: 'dlr_expired' }],
  ];
  for (const [name, expected] of reports) {
    it(`maps ${name}`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      const parsed = adapter.parseWebhook(request);
      expect(parsed.inbound).toEqual([]);
      expect(parsed.statuses).toEqual([expect.objectContaining({ providerMessageId: '871b4eeb-f798-4105-be23-32df9e991456', ...expected })]);
    });
  }

  it('keeps an unknown status as sent with the raw word', () => {
    const request = fixture('status-sent');
    const body = request.rawBody.toString().replace('"status": "sent"', '"status": "carrier_hold"');
    expect(adapter.parseWebhook({ ...request, rawBody: Buffer.from(body) }).statuses[0]).toMatchObject({ status: 'sent', providerStatus: 'carrier_hold', errorMessage: expect.stringContaining('unknown') });
  });

  it('parses an inbound SMS with numbers made E.164 and its time', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound).toEqual([
      expect.objectContaining({ providerMessageId: '3c7a5a90-43e0-43e0-b006-fdfea30c5a7c', from: '+14155550199', to: ['+14155550100'], body: 'YES please book it', media: [], receivedAt: undefined }),
    ]);
    const recent = createWavixProvider(account, { ...deps, clock: () => new Date('2024-05-06T17:05:00Z') });
    expect(recent.parseWebhook(fixture('inbound-sms')).inbound[0]!.receivedAt).toBe('2024-05-06T17:03:12.096Z');
  });

  it('parses an inbound MMS with every media URL', () => {
    const [message] = adapter.parseWebhook(fixture('inbound-mms')).inbound;
    expect(message).toMatchObject({ body: '', media: [{ url: 'https://api.wavix.com/v3/messages/media/7f1d2c3b/IMG_0042.jpg' }, { url: 'https://api.wavix.com/v3/messages/media/7f1d2c3b/IMG_0043.jpg' }] });
  });

  it('refuses a missing or wrong URL token', async () => {
    const genuine = fixture('inbound-sms');
    await expect(adapter.verifyWebhook({ ...genuine, query: {} })).rejects.toMatchObject({ reason: 'missing_signature' });
    await expect(adapter.verifyWebhook({ ...genuine, query: { token: 'guess' } })).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects malformed, truncated and wrongly typed bodies', () => {
    const json = fixture('inbound-sms').rawBody.toString();
    const cases = [
      '',
      json.slice(0, Math.floor(json.length / 2)),
      '{"message_id": "X", "from": ',
      '["not", "an", "object"]',
      '{"message_id": "X", "from": "1415", "to": "1415"}',
      '{"message_id": 42.5e400, "from": "1", "to": "2", "message_body": {"text": "x"}}',
      '{"message_id": "X", "from": "1", "to": "2", "message_body": {"text": 7}}',
      '{"message_id": "X", "from": "1", "to": "2", "message_body": {"text": "x", "media": "https://a"}}',
      '{"message_id": "X", "from": "1", "to": "2", "message_body": {"text": "x", "media": ["javascript:alert(1)"]}}',
      '{"message_id": "X", "status": ["delivered"]}',
      '{"message_id": "X\u0000", "status": "delivered"}',
    ];
    for (const body of cases) expect(() => adapter.parseWebhook({ ...fixture('inbound-sms'), rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
  });
});

describe('wavix send errors', () => {
  const message: OutboundMessage = { id: 'msg_1', from: '+14155550100', to: ['+14155550199'], body: 'hi', mediaUrls: [], statusCallbackUrl: account.webhookUrl };
  const answering = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const requests: string[] = [];
    const fetchStub = (async (_url: string, init: RequestInit) => {
      requests.push(String(init.body));
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
    }) as typeof fetch;
    return { adapter: createWavixProvider(account, { ...deps, fetch: fetchStub }), requests };
  };

  it('bounds Retry-After on 429 and retries', async () => {
    await expect(answering(429, { success: false, message: 'Too many requests' }, { 'retry-after': '30' }).adapter.send(message)).rejects.toMatchObject({ kind: 'rate_limited', retryable: true, details: { retryAfterMs: 30_000 } });
    await expect(answering(429, { success: false, message: 'Too many requests' }, { 'retry-after': '86400000' }).adapter.send(message)).rejects.toMatchObject({ retryable: false });
  });

  it('sorts opted-out and invalid-number texts into permanent kinds', async () => {
    await expect(answering(400, { success: false, message: 'Recipient has opted out' }).adapter.send(message)).rejects.toMatchObject({ kind: 'opted_out', retryable: false });
    await expect(answering(400, { success: false, message: 'Missing or invalid parameter to' }).adapter.send(message)).rejects.toMatchObject({ kind: 'invalid_number', retryable: false });
    await expect(answering(400, { success: false, message: 'Missing or invalid parameter from' }).adapter.send(message)).rejects.toMatchObject({ kind: 'rejected', retryable: false });
  });

  it('treats a 201 without message_id as retryable and a rejected answer as permanent', async () => {
    await expect(answering(201, { status: 'accepted' }).adapter.send(message)).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
    await expect(answering(201, { message_id: 'm1', status: 'rejected', error_message: 'Invalid destination number' }).adapter.send(message)).rejects.toMatchObject({ kind: 'invalid_number', retryable: false });
  });

  it('refuses a group send and a sixth media URL before calling Wavix', async () => {
    const { adapter: a, requests } = answering(201, {});
    await expect(a.send({ ...message, to: ['+14155550199', '+14155550198'] })).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(a.send({ ...message, mediaUrls: Array.from({ length: 6 }, (_, i) => `https://x.test/${i}.jpg`) })).rejects.toMatchObject({ kind: 'unsupported' });
    expect(requests).toEqual([]);
  });
});
