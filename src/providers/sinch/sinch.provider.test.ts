import { describe, expect, it } from 'vitest';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import type { AdapterDeps, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { startSinchEmulator, type SinchEmulator } from './sinch.emulator.js';
import { createSinchProvider } from './sinch.provider.js';
import { sinchSignature } from './sinch.signature.js';
import { loadWebhookFixture } from '../testing/fixtures.js';

const credentials = { servicePlanId: 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4', apiToken: 'test-api-token-0123456789', region: 'us', webhookSecret: 'test-webhook-secret' };

describeProviderContract({
  type: 'sinch',
  credentials,
  startEmulator: (deliver) => startSinchEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/xms/v1/${credentials.servicePlanId}/batches`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe(`Bearer ${credentials.apiToken}`);
    const common = { to: [sent.to], from: sent.from, delivery_report: 'per_recipient', callback_url: expect.stringMatching(/^http:\/\/switchboard\.test\/webhook\/sinch\/sms\/pa_/), client_reference: expect.stringMatching(/^msg_/) };
    if (sent.mediaUrls.length === 0) expect(JSON.parse(request.text)).toEqual({ type: 'mt_text', body: sent.body, ...common });
    else expect(JSON.parse(request.text)).toEqual({ type: 'mt_media', body: { url: sent.mediaUrls[0], message: sent.body }, ...common });
  },
  stale: (emulator, webhookUrl) => (emulator as SinchEmulator).buildInbound({ webhookUrl, from: '+15551234567', to: '+15005550006', body: 'Stale hello' }, new Date(Date.now() - 10 * 60_000)),
  errors: [
    { status: 400, body: { code: 'syntax_invalid_parameter_format', text: 'Invalid recipient MSISDN' }, expect: { code: 'syntax_invalid_parameter_format' } },
    { status: 403, body: { code: 'missing_callback_url', text: 'Delivery report requested but no callback URL' }, expect: { code: 'missing_callback_url' } },
    { status: 401, body: { code: 'unauthorized', text: 'Invalid credentials' }, expect: { code: 'unauthorized' } },
    { status: 429, body: { code: 'too_many_requests', text: 'Too many outstanding requests' }, expect: 'retry' },
    { status: 503, body: 'Service Unavailable', expect: 'retry' },
  ],
  statuses: { Queued: 'queued', Dispatched: 'sent', Delivered: 'delivered', Failed: 'undelivered', Expired: 'undelivered', Deleted: 'undelivered', Rejected: 'failed', Aborted: 'failed', Cancelled: 'failed', Unknown: 'sent' },
});

// Recorded payloads (scrubbed, re-signed with the test secret at 2025-01-01T12:00:00Z).
const FIXED_NOW = new Date('2025-01-01T12:01:00Z');
function adapter(overrides: Partial<typeof credentials> = {}, fetchImpl: typeof fetch = () => Promise.reject(new Error('no network in tests')), now = FIXED_NOW) {
  const deps: AdapterDeps = { fetch: fetchImpl, clock: () => now, readOwnMedia: async () => null, loopback: async () => undefined };
  return createSinchProvider({ id: 'pa_fixture', tenantId: 't', type: 'sinch', credentials: { ...credentials, ...overrides }, baseUrl: null, webhookUrl: 'https://switchboard.example.com/webhook/sinch/sms/pa_fixture' }, deps);
}
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);
const withBody = (request: WebhookRequest, body: string): WebhookRequest => ({ ...request, rawBody: Buffer.from(body) });
const report = (status: string, providerStatus: string, errorCode?: string) => ({
  statuses: [{ providerMessageId: '01FC66621XXXXX119Z8PMV1QPQ', status, providerStatus, at: '2025-01-01T12:00:00.000Z', ...(errorCode ? { errorCode, errorMessage: expect.any(String) } : {}) }],
});

describe('sinch recorded callbacks', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['inbound-mo-text', { inbound: [{ providerMessageId: '01FC66621VHDBN119Z8PMV1AHY', from: '+15551234567', to: ['+15005550006'], body: 'Hello from Sinch', media: [], receivedAt: '2025-01-01T12:00:00.000Z' }] }],
    ['inbound-mo-text-shortcode', { inbound: [{ from: '+447700900001', to: ['12345'], body: 'STOP' }] }],
    ['inbound-mo-media', { inbound: [{ body: 'Look at this', media: [{ url: 'https://mms.us1.sinch.com/media/01FC66621VHDBN119Z8PMV1AJ0/0.jpg', contentType: 'image/jpeg' }] }] }],
    ['status-queued', report('queued', 'Queued')],
    ['status-dispatched', report('sent', 'Dispatched')],
    ['status-delivered', report('delivered', 'Delivered')],
    ['status-failed', report('undelivered', 'Failed', '404')],
    ['status-expired', report('undelivered', 'Expired', '406')],
    ['status-deleted', report('undelivered', 'Deleted', '402')],
    ['status-rejected', report('failed', 'Rejected', '408')],
    ['status-aborted', report('failed', 'Aborted', '403')],
    ['status-cancelled', report('failed', 'Cancelled', '407')],
    ['status-unknown', report('sent', 'Unknown')],
    ['status-mms-failed', { statuses: [{ status: 'undelivered', errorCode: '414', errorMessage: 'Bad media URL' }] }],
    ['status-batch-summary', { statuses: [{ providerMessageId: '01FC66621XXXXX119Z8PMV1QPR', status: 'delivered', providerStatus: 'Delivered' }] }],
  ];
  for (const [name, expected] of cases) {
    it(`verifies and parses ${name}`, async () => {
      const sinch = adapter();
      const request = fixture(name);
      await sinch.verifyWebhook(request);
      const parsed = sinch.parseWebhook(request);
      expect(parsed).toMatchObject({ inbound: [], statuses: [], ...expected });
      // Progress codes (0, 400, 401) are not errors.
      const expectedUpdate = (expected.statuses as Array<Record<string, unknown>> | undefined)?.[0];
      if (expectedUpdate && !('errorCode' in expectedUpdate)) expect(parsed.statuses[0]!.errorCode).toBeUndefined();
    });
  }

  it('refuses stale, tampered, truncated and wrongly keyed callbacks', async () => {
    const request = fixture('status-delivered');
    await expect(adapter({}, undefined, new Date('2025-01-01T12:10:00Z')).verifyWebhook(request)).rejects.toMatchObject({ reason: 'stale_signature' });
    await expect(adapter({ webhookSecret: 'other' }).verifyWebhook(request)).rejects.toMatchObject({ reason: 'bad_signature' });
    const body = request.rawBody.toString();
    for (const altered of [body.slice(0, body.length / 2), body.replace('Delivered', 'Dispatched'), '', '{not json']) {
      await expect(adapter().verifyWebhook(withBody(request, altered))).rejects.toBeInstanceOf(WebhookAuthError);
    }
    const headers = { ...request.headers, 'x-sinch-webhook-signature-algorithm': 'HmacMD5' };
    await expect(adapter().verifyWebhook({ ...request, headers })).rejects.toMatchObject({ reason: 'bad_signature' });
    const { 'x-sinch-webhook-signature-nonce': _nonce, ...withoutNonce } = request.headers;
    await expect(adapter().verifyWebhook({ ...request, headers: withoutNonce })).rejects.toMatchObject({ reason: 'missing_signature' });
  });

  it('answers malformed bodies with MalformedWebhookError', () => {
    const request = fixture('inbound-mo-text');
    for (const body of ['', '{', '[]', 'null', '{"type":"mo_text","id":"x"}', '{"type":"something_else"}', '{"type":"recipient_delivery_report_sms","status":"Delivered"}', '{"type":"delivery_report_sms","batch_id":"b","statuses":[]}']) {
      expect(() => adapter().parseWebhook(withBody(request, body)), body).toThrow(MalformedWebhookError);
    }
  });
});

describe('sinch signature and sends', () => {
  it('matches the @sinch/sdk-client vector', () => {
    const body = '{"type":"mo_text","id":"01XXXXXXXXXXXXXXXXXXXXXXXX","from":"12345678910","to":"12345","body":"Hi","received_at":"2025-01-01T12:00:00.000Z"}';
    expect(sinchSignature('sinch_secret', body, '01FJA8B4A7BM43YGWSG9GBV067', '1635771254')).toBe('svf9Q85QNKv6nse/GeVyywVP3eMxwI9Xpqlzqk4tXD4=');
  });

  const message = { id: 'msg_1', from: '+15005550006', to: ['+15551234567'], body: 'Hi', mediaUrls: [], statusCallbackUrl: 'https://switchboard.example.com/webhook/sinch/sms' };

  it('uses the region host by default and refuses group sends', async () => {
    const urls: string[] = [];
    const capture = (async (url: RequestInfo | URL) => {
      urls.push(String(url));
      return new Response(JSON.stringify({ id: '01FC66621XXXXX119Z8PMV1QPQ' }), { status: 201, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    await expect(adapter({ region: 'eu' }, capture).send(message)).resolves.toMatchObject({ providerMessageId: '01FC66621XXXXX119Z8PMV1QPQ' });
    expect(urls).toEqual([`https://eu.sms.api.sinch.com/xms/v1/${credentials.servicePlanId}/batches`]);
    await expect(adapter({}, capture).send({ ...message, to: ['+15551234567', '+15551234568'] })).rejects.toBeInstanceOf(UnsupportedCapabilityError);
  });

  it('treats a bare 403 as bad credentials and a 201 without id as retryable', async () => {
    const answer = (status: number, body: string) => (async () => new Response(body, { status, headers: { 'content-type': 'application/json' } })) as typeof fetch;
    await expect(adapter({}, answer(403, '')).send(message)).rejects.toMatchObject({ kind: 'auth_failed' });
    await expect(adapter({}, answer(201, '{}')).send(message)).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('retries media with the API token only on Sinch hosts', async () => {
    const seen: Array<string | null> = [];
    const media = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      const auth = new Headers(init?.headers).get('authorization');
      seen.push(auth);
      return auth ? new Response(Buffer.from('jpg'), { status: 200, headers: { 'content-type': 'image/jpeg' } }) : new Response('', { status: 403 });
    }) as typeof fetch;
    await expect(adapter({}, media).fetchMedia('https://mms.us1.sinch.com/media/x/0.jpg')).resolves.toMatchObject({ contentType: 'image/jpeg' });
    expect(seen).toEqual([null, `Bearer ${credentials.apiToken}`]);
    await expect(adapter({}, media).fetchMedia('https://evil.example.com/x.jpg')).rejects.toBeInstanceOf(ProviderError);
    expect(seen.at(-1)).toBeNull();
  });
});
