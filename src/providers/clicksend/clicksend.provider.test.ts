import { describe, expect, it } from 'vitest';
import { MalformedWebhookError } from '../core/errors.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { startClicksendEmulator } from './clicksend.emulator.js';
import { createClicksendProvider } from './clicksend.provider.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';

const credentials = { username: 'switchboard-test', apiKey: 'A1B2C3D4-E5F6-7A8B-9C0D-E1F2A3B4C5D6' };
const perMessageFailure = (status: string) => ({
  http_code: 200,
  response_code: 'SUCCESS',
  response_msg: 'Messages queued for delivery.',
  data: { total_price: 0, total_count: 1, queued_count: 0, messages: [{ direction: 'out', to: '+15551234567', body: 'x', from: '+15005550006', message_id: 'C0FFEE00-0000-4000-8000-000000000001', status }] },
});

describeProviderContract({
  type: 'clicksend',
  credentials,
  authScheme: 'url-token',
  startEmulator: (deliver) => startClicksendEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    const isMms = sent.mediaUrls.length > 0;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(isMms ? '/v3/mms/send' : '/v3/sms/send');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Basic ' + Buffer.from(`${credentials.username}:${credentials.apiKey}`).toString('base64'));
    const message = { to: sent.to, from: sent.from, body: sent.body, source: 'switchboard', custom_string: expect.stringMatching(/^msg_/) };
    expect(JSON.parse(request.text)).toEqual(isMms ? { media_file: sent.mediaUrls[0], messages: [{ ...message, subject: 'Message' }] } : { messages: [message] });
  },
  errors: [
    { status: 200, body: perMessageFailure('INVALID_RECIPIENT'), expect: { code: 'INVALID_RECIPIENT' } },
    { status: 200, body: perMessageFailure('INSUFFICIENT_CREDIT'), expect: { code: 'INSUFFICIENT_CREDIT' } },
    { status: 400, body: { http_code: 400, response_code: 'BAD_REQUEST', response_msg: 'Invalid request.', data: [] }, expect: { code: 'BAD_REQUEST' } },
    { status: 401, body: { http_code: 401, response_code: 'UNAUTHORIZED', response_msg: 'Invalid credentials.', data: [] }, expect: { code: 'UNAUTHORIZED' } },
    { status: 429, body: { http_code: 429, response_code: 'TOO_MANY_REQUESTS', response_msg: 'Too many requests.', data: [] }, expect: 'retry' },
    { status: 500, body: { http_code: 500, response_code: 'INTERNAL_SERVER_ERROR', response_msg: 'Internal error.', data: [] }, expect: 'retry' },
  ],
  statuses: { Queued: 'queued', Scheduled: 'queued', WaitApproval: 'queued', Sent: 'sent', Delivered: 'delivered', Failed: 'undelivered', Expired: 'undelivered', Cancelled: 'failed', CancelledAfterReview: 'failed' },
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = offlineDeps;
const account = { id: 'pa_1', tenantId: 't_1', type: 'clicksend', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/clicksend/sms?token=${TOKEN}` };
const adapter = createClicksendProvider(account, deps);

const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('clicksend recorded webhooks', () => {
  const receipts: Array<[string, Record<string, unknown>]> = [
    ['status-queued', { status: 'queued', providerStatus: 'Queued' }],
    ['status-wait-approval', { status: 'queued', providerStatus: 'WaitApproval' }],
    ['status-sent', { status: 'sent', providerStatus: 'Sent' }],
    ['status-sent-201-delivered', { status: 'delivered', providerStatus: 'Sent' }],
    ['status-delivered', { status: 'delivered', providerStatus: 'Delivered' }],
    ['status-json-delivered', { status: 'delivered', providerStatus: 'Delivered' }],
    ['status-failed-temporary', { status: 'sent', providerStatus: 'Failed', errorCode: '300' }],
    ['status-failed-permanent', { status: 'undelivered', providerStatus: 'Failed', errorCode: '301', errorMessage: 'Absent subscriber' }],
    ['status-cancelled', { status: 'failed', providerStatus: 'Cancelled' }],
  ];
  for (const [name, expected] of receipts) {
    it(`maps ${name}`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      const parsed = adapter.parseWebhook(request);
      expect(parsed.inbound).toEqual([]);
      expect(parsed.statuses).toEqual([expect.objectContaining({ providerMessageId: 'BF7AD270-0DE2-418B-B606-71D527D9C1AE', ...expected })]);
    });
  }

  it('parses a form inbound SMS with its time', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound).toEqual([
      expect.objectContaining({ providerMessageId: '2C4E8B1A-7D3F-4E5A-9B6C-1D2E3F4A5B6C', from: '+14155550199', to: ['+14155550100'], body: 'YES please book it', media: [], receivedAt: '2024-05-06T17:03:12.000Z' }),
    ]);
  });

  it('parses a JSON inbound SMS (webhook_type json)', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms-json')).inbound[0]).toMatchObject({ from: '+61411111111', to: ['+61422222222'], body: 'Hi from Sydney' });
  });

  it('parses an inbound MMS attachment', () => {
    expect(adapter.parseWebhook(fixture('inbound-mms')).inbound[0]!.media).toEqual([{ url: 'https://rest.clicksend.com/files/2C4E8B1A/IMG_0042.jpg' }]);
  });

  it('reads a GET webhook from the query string', () => {
    const url = `https://pbx.example.com/webhook/clicksend/sms?token=${TOKEN}&message_id=ABC&from=%2B14155550199&to=%2B14155550100&body=hello&timestamp=1715014992`;
    const request = { method: 'GET', url, headers: {}, rawBody: Buffer.alloc(0), query: Object.fromEntries(new URL(url).searchParams) };
    expect(adapter.parseWebhook(request).inbound[0]).toMatchObject({ providerMessageId: 'ABC', body: 'hello' });
  });

  it('refuses a missing or wrong URL token', async () => {
    const genuine = fixture('inbound-sms');
    await expect(adapter.verifyWebhook({ ...genuine, query: {} })).rejects.toMatchObject({ reason: 'missing_signature' });
    await expect(adapter.verifyWebhook({ ...genuine, query: { token: 'guess' } })).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects malformed and truncated bodies', () => {
    const form = fixture('inbound-sms').rawBody.toString();
    const cases: Array<[string, string]> = [
      ['', 'application/x-www-form-urlencoded'],
      [form.slice(0, Math.floor(form.length / 2)), 'application/x-www-form-urlencoded'],
      ['message_id=X&from=%2B1415', 'application/x-www-form-urlencoded'],
      ['{"message_id": "X", "from": ', 'application/json'],
      ['["not", "an", "object"]', 'application/json'],
    ];
    for (const [body, contentType] of cases) {
      expect(() => adapter.parseWebhook({ ...fixture('inbound-sms'), headers: { 'content-type': contentType }, rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
    }
  });
});

describe('clicksend send answers', () => {
  const message: OutboundMessage = { id: 'msg_1', from: 'AcmeDental', to: ['+61411111111'], body: 'Reminder', mediaUrls: [], statusCallbackUrl: 'unused' };
  const answering = (status: number, body: unknown) => {
    const requests: string[] = [];
    const fetchStub = (async (_url: string, init: RequestInit) => {
      requests.push(String(init.body));
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    return { adapter: createClicksendProvider({ ...account, baseUrl: 'https://rest.clicksend.com/v3' }, { ...deps, fetch: fetchStub }), requests };
  };

  it('sends an alpha tag as from and keeps the message id', async () => {
    const { adapter: a, requests } = answering(200, { http_code: 200, response_code: 'SUCCESS', data: { messages: [{ message_id: 'ID-1', status: 'SUCCESS' }] } });
    await expect(a.send(message)).resolves.toMatchObject({ providerMessageId: 'ID-1', status: 'queued' });
    expect(JSON.parse(requests[0]!).messages[0]).toMatchObject({ from: 'AcmeDental', to: '+61411111111', custom_string: 'msg_1' });
  });

  it('sorts per-message failures inside a 200 into permanent kinds', async () => {
    await expect(answering(200, perMessageFailure('INVALID_RECIPIENT')).adapter.send(message)).rejects.toMatchObject({ kind: 'invalid_number', code: 'INVALID_RECIPIENT', retryable: false });
    await expect(answering(200, perMessageFailure('INSUFFICIENT_CREDIT')).adapter.send(message)).rejects.toMatchObject({ kind: 'insufficient_funds', retryable: false });
    await expect(answering(200, { http_code: 200, response_code: 'SUCCESS', data: {} }).adapter.send(message)).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('refuses a second MMS attachment before calling ClickSend', async () => {
    const { adapter: a, requests } = answering(200, {});
    await expect(a.send({ ...message, mediaUrls: ['https://x.test/a.jpg', 'https://x.test/b.jpg'] })).rejects.toMatchObject({ kind: 'unsupported' });
    expect(requests).toEqual([]);
  });
});
