import { describe, expect, it } from 'vitest';
import { MalformedWebhookError } from '../core/errors.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { startVoxtelesysEmulator } from './voxtelesys.emulator.js';
import { createVoxtelesysProvider } from './voxtelesys.provider.js';

const credentials = { apiKey: 'f2d1c9b6-1158-11e6-bb4e-26a732fd0877' };
const digits = (n: string) => n.replace(/^\+/, '');

describeProviderContract({
  type: 'voxtelesys',
  credentials,
  authScheme: 'url-token',
  startEmulator: (deliver) => startVoxtelesysEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/v1/sms');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe(`Bearer ${credentials.apiKey}`);
    expect(JSON.parse(request.text)).toEqual({
      from: digits(sent.from),
      to: [digits(sent.to)],
      body: sent.body,
      tag: expect.stringMatching(/^msg_/),
      ...(sent.mediaUrls.length > 0 ? { media: sent.mediaUrls } : {}),
    });
  },
  errors: [
    { status: 400, body: { error: { code: 'invalid_to', description: 'Invalid destination number' } }, expect: { code: 'invalid_to' } },
    { status: 402, body: { error: { code: 'payment_required', description: 'Insufficient balance' } }, expect: { code: 'payment_required' } },
    { status: 401, body: { error: { code: 'unauthorized', description: 'Invalid API key' } }, expect: { code: 'unauthorized' } },
    { status: 429, body: { error: { code: 'rate_limited', description: 'Too many requests' } }, expect: 'retry' },
    { status: 500, body: { error: { code: 'internal', description: 'Internal error' } }, expect: 'retry' },
  ],
  statuses: { queued: 'queued', dispatched: 'sent', sent: 'sent', delivered: 'delivered', undelivered: 'undelivered', expired: 'undelivered', failed: 'failed', rejected: 'failed', aborted: 'failed' },
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = { ...offlineDeps, clock: () => new Date('2024-05-28T12:40:00Z') };
const account = { id: 'pa_1', tenantId: 't_1', type: 'voxtelesys', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/voxtelesys/sms?token=${TOKEN}` };
const adapter = createVoxtelesysProvider(account, deps);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('voxtelesys recorded webhooks', () => {
  const receipts: Array<[string, Record<string, unknown>]> = [
    ['status-queued', { status: 'queued', providerStatus: 'queued' }],
    ['status-dispatched', { status: 'sent', providerStatus: 'dispatched' }],
    ['status-delivered', { status: 'delivered', providerStatus: 'delivered', at: '2024-05-28T12:34:56.000Z' }],
    ['status-form-delivered', { status: 'delivered', providerStatus: 'delivered' }],
    ['status-undelivered', { status: 'undelivered', errorCode: '4505', errorMessage: 'Unknown subscriber', optedOut: false }],
    ['status-expired', { status: 'undelivered', errorCode: '4600' }],
    ['status-failed', { status: 'failed', errorCode: '4770', optedOut: true }],
    ['status-rejected', { status: 'failed', errorCode: '4400', errorMessage: 'Invalid destination number' }],
  ];
  for (const [name, expected] of receipts) {
    it(`maps ${name} onto the batch id`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      const parsed = adapter.parseWebhook(request);
      expect(parsed.inbound).toEqual([]);
      expect(parsed.statuses).toEqual([expect.objectContaining({ providerMessageId: 'BPBPqNgILE2urR4S', ...expected })]);
    });
  }

  it('keeps an unknown status as sent with the raw word', () => {
    const request = fixture('status-dispatched');
    const body = request.rawBody.toString().replace('"dispatched"', '"carrier_hold"');
    expect(adapter.parseWebhook({ ...request, rawBody: Buffer.from(body) }).statuses[0]).toMatchObject({ status: 'sent', providerStatus: 'carrier_hold', errorMessage: expect.stringContaining('unknown') });
  });

  it('parses an inbound SMS with its id and time', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound).toEqual([
      expect.objectContaining({ providerMessageId: '6708f96b76b15fde200deacb', from: '+14155550199', to: ['+14155550100'], body: 'YES please book it', media: [], receivedAt: '2024-05-28T12:34:56.000Z' }),
    ]);
  });

  it('gives an id-less MO a stable id from its body, so a redelivery is a duplicate', () => {
    const first = adapter.parseWebhook(fixture('inbound-sms-no-id')).inbound[0]!;
    const again = adapter.parseWebhook(fixture('inbound-sms-no-id')).inbound[0]!;
    expect(first.providerMessageId).toMatch(/^sha256:[0-9a-f]{40}$/);
    expect(again.providerMessageId).toBe(first.providerMessageId);
    const other = fixture('inbound-sms-no-id');
    const later = adapter.parseWebhook({ ...other, rawBody: Buffer.from(other.rawBody.toString().replace('12:35:10.417', '12:35:11.002')) }).inbound[0]!;
    expect(later.providerMessageId).not.toBe(first.providerMessageId);
  });

  it('parses an inbound MMS media list', () => {
    expect(adapter.parseWebhook(fixture('inbound-mms')).inbound[0]).toMatchObject({ body: '', media: [{ url: 'https://media.voxtelesys.net/mms/6708f96b/IMG_0042.jpg' }] });
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
      '["mo"]',
      '{"type": "mt", "from": "1", "to": "2"}',
      '{"type": "mo", "to": "+14155550100"}',
      '{"type": "mo", "from": "+1", "to": 14155550100}',
      '{"type": "mo", "from": "+1", "to": "+2", "media": "https://x"}',
      '{"type": "mo", "from": "+1", "to": "+2", "media": ["file:///etc/passwd"]}',
      '{"type": "per_recipient", "batch_id": "B", "status": ["failed"]}',
      '{"type": "per_recipient", "batch_id": "B", "status": "failed", "error": "boom"}',
      '{"type": "mo", "from": "+1\u0000", "to": "+2"}',
    ];
    for (const body of cases) expect(() => adapter.parseWebhook({ ...fixture('inbound-sms'), rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
  });
});

describe('voxtelesys send', () => {
  const message: OutboundMessage = { id: 'msg_1', from: '+14155550100', to: ['+14155550199'], body: 'hi', mediaUrls: [], statusCallbackUrl: account.webhookUrl };
  const answering = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const requests: string[] = [];
    const fetchStub = (async (_url: string, init: RequestInit) => {
      requests.push(String(init.body));
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
    }) as typeof fetch;
    return { adapter: createVoxtelesysProvider(account, { ...deps, fetch: fetchStub }), requests };
  };

  it('sorts errors into transient and permanent kinds, Retry-After bounded', async () => {
    await expect(answering(400, { error: { code: 'invalid_to', description: 'Invalid destination number' } }).adapter.send(message)).rejects.toMatchObject({ kind: 'invalid_number', retryable: false });
    await expect(answering(400, { error: { code: 'opt_out', description: 'Recipient has opted out' } }).adapter.send(message)).rejects.toMatchObject({ kind: 'opted_out', code: 'opt_out' });
    await expect(answering(402, { message: 'Payment required' }).adapter.send(message)).rejects.toMatchObject({ kind: 'insufficient_funds' });
    await expect(answering(403, { error: 'Forbidden' }).adapter.send(message)).rejects.toMatchObject({ kind: 'auth_failed' });
    await expect(answering(429, {}, { 'retry-after': '12' }).adapter.send(message)).rejects.toMatchObject({ kind: 'rate_limited', retryable: true, details: { retryAfterMs: 12_000 } });
    await expect(answering(200, { status: 'queued' }).adapter.send(message)).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('refuses a group send before calling Voxtelesys', async () => {
    const { adapter: a, requests } = answering(200, { id: 'B' });
    await expect(a.send({ ...message, to: ['+14155550199', '+14155550198'] })).rejects.toMatchObject({ kind: 'unsupported' });
    expect(requests).toEqual([]);
  });
});
