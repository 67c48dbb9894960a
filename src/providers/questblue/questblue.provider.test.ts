import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountAndNumber, createTestApp, createTestTenant, type Tenant, type TestApp } from '../../../test/helper.js';
import { MalformedWebhookError } from '../core/errors.js';
import { basicAuth } from '../core/http.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { startQuestblueEmulator } from './questblue.emulator.js';
import { createQuestblueProvider } from './questblue.provider.js';

const credentials = { login: 'acme_api', password: 'Passw0rd-for-tests', securityKey: 'qb_key_0123456789abcdef0123456789' };

describeProviderContract({
  type: 'questblue',
  credentials,
  authScheme: 'url-token',
  startEmulator: (deliver) => startQuestblueEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/smsv2');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe(basicAuth(credentials.login, credentials.password));
    expect(request.headers['security-key']).toBe(credentials.securityKey);
    expect(JSON.parse(request.text)).toEqual({ did: sent.from.replace(/^\+1/, ''), did_to: sent.to.replace(/^\+1/, ''), msg: sent.body, ...(sent.mediaUrls[0] ? { file_url: sent.mediaUrls[0] } : {}) });
  },
  errors: [
    // QuestBlue reports a refused send as HTTP 206 with an error text.
    { status: 206, body: { error: 'Invalid destination number' }, expect: { code: 'invalid_number' } },
    { status: 206, body: { error: 'Insufficient balance' }, expect: { code: 'insufficient_funds' } },
    { status: 206, body: { error: 'Number is on the opt-out list' }, expect: { code: 'opted_out' } },
    { status: 401, body: { error: 'Unauthorized' }, expect: { code: 'auth_failed' } },
    { status: 403, body: { error: 'IP address is not allowed' }, expect: { code: 'auth_failed' } },
    { status: 429, body: { error: 'Too many requests' }, expect: 'retry' },
    { status: 408, body: { error: 'Request timeout' }, expect: 'retry' },
    { status: 500, body: { error: 'Internal error' }, expect: 'retry' },
  ],
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = { ...offlineDeps, clock: () => new Date('2024-05-06T17:03:30Z') };
const account = { id: 'pa_01HX9Q', tenantId: 't_1', type: 'questblue', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/questblue/sms/pa_01HX9Q?token=${TOKEN}` };
const adapter = createQuestblueProvider(account, deps);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('questblue recorded webhooks', () => {
  const receipts: Array<[string, Record<string, unknown>]> = [
    ['status-sent', { status: 'sent', providerStatus: 'sent' }],
    ['status-delivered', { status: 'delivered', providerStatus: 'delivered' }],
    ['status-undelivered', { status: 'undelivered', errorCode: 'undelivered', errorMessage: 'Unknown subscriber', optedOut: false }],
    ['status-failed', { status: 'failed', errorCode: 'failed', errorMessage: 'Recipient opted out (STOP)', optedOut: true }],
    ['status-rejected', { status: 'failed', errorCode: 'rejected', optedOut: false }],
  ];
  for (const [name, expected] of receipts) {
    it(`maps ${name}, matched by its numbers`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      const parsed = adapter.parseWebhook(request);
      expect(parsed.inbound).toEqual([]);
      expect(parsed.statuses).toEqual([expect.objectContaining({ match: { ourNumber: '+14155550100', remoteNumber: '+14155550199' }, ...expected })]);
    });
  }

  it('keeps an unknown status as sent with the raw word', () => {
    const request = fixture('status-sent');
    const body = request.rawBody.toString().replace('"sent"', '"carrier_hold"');
    expect(adapter.parseWebhook({ ...request, rawBody: Buffer.from(body) }).statuses[0]).toMatchObject({ status: 'sent', providerStatus: 'carrier_hold', errorMessage: expect.stringContaining('unknown') });
  });

  it('parses an inbound SMS with numbers made E.164', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound).toEqual([expect.objectContaining({ from: '+14155550199', to: ['+14155550100'], body: 'Is the office open Saturday?', media: [] })]);
  });

  it('parses an inbound MMS with its media URL', () => {
    expect(adapter.parseWebhook(fixture('inbound-mms')).inbound[0]).toMatchObject({ body: '', media: [{ url: 'https://api.questblue.com/media/sms/2024/05/06/a81c3f.jpg' }] });
  });

  it('keeps a group MMS as one message to every number, without the SMIL part', () => {
    const [message] = adapter.parseWebhook(fixture('inbound-group-mms')).inbound;
    expect(message).toMatchObject({ to: ['+14155550100', '+14155550142', '+14155550177'], body: 'Dinner at 7?', media: [{ url: 'https://api.questblue.com/media/sms/2024/05/06/b92d4e.jpg' }] });
  });

  it('gives a repeated delivery the same id and a new message a new one (no id is sent)', () => {
    const first = adapter.parseWebhook(fixture('inbound-sms')).inbound[0]!.providerMessageId;
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound[0]!.providerMessageId).toBe(first);
    expect(adapter.parseWebhook(fixture('inbound-mms')).inbound[0]!.providerMessageId).not.toBe(first);
    const later = createQuestblueProvider(account, { ...deps, clock: () => new Date('2024-05-06T17:05:30Z') });
    expect(later.parseWebhook(fixture('inbound-sms')).inbound[0]!.providerMessageId).not.toBe(first);
  });

  it('refuses a missing or wrong URL token', async () => {
    const genuine = fixture('inbound-sms');
    await expect(adapter.verifyWebhook({ ...genuine, query: {} })).rejects.toMatchObject({ reason: 'missing_signature' });
    await expect(adapter.verifyWebhook({ ...genuine, query: { token: 'guess' } })).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects malformed, truncated and wrongly typed bodies', () => {
    const json = fixture('inbound-group-mms').rawBody.toString();
    const cases = [
      '',
      json.slice(0, Math.floor(json.length / 2)),
      '["not", "an", "object"]',
      '{"from": "4155550199", "text": "hi"}',
      '{"from": "4155550199", "to": "4155550100", "text": "hi"}',
      '{"from": "4155550199", "to": [], "text": "hi"}',
      '{"from": "4155550199", "to": ["not-a-number"], "text": "hi"}',
      '{"from": "4155550199", "to": ["4155550100"], "text": 7}',
      '{"from": "4155550199", "to": ["4155550100"], "text": "", "media": []}',
      '{"from": "4155550199", "to": ["4155550100"], "text": "x", "media": "https://a"}',
      '{"from": "4155550199", "to": ["4155550100"], "text": "x", "media": ["javascript:alert(1)"]}',
      '{"from": "4155550100", "to": "4155550199", "status": ["delivered"]}',
      '{"from": "4155550100", "status": "delivered"}',
      '{"from": "4155550199\u0000", "to": ["4155550100"], "text": "x"}',
    ];
    for (const body of cases) expect(() => adapter.parseWebhook({ ...fixture('inbound-sms'), rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
  });
});

describe('questblue sends', () => {
  const message: OutboundMessage = { id: 'msg_1', from: '+14155550100', to: ['+14155550199'], body: 'hi', mediaUrls: [], statusCallbackUrl: account.webhookUrl };
  const answering = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const requests: Array<{ url: string; headers: Record<string, string> }> = [];
    const fetchStub = (async (url: string, init: RequestInit) => {
      requests.push({ url: String(url), headers: init.headers as Record<string, string> });
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
    }) as typeof fetch;
    return { adapter: createQuestblueProvider(account, { ...deps, fetch: fetchStub }), requests };
  };

  it('reads msg_id from data[0]', async () => {
    await expect(answering(200, { data: [{ msg_id: '123456' }] }).adapter.send(message)).resolves.toMatchObject({ providerMessageId: '123456' });
  });

  it('treats a 2xx error body as a refusal and a 2xx without msg_id as an unknown outcome', async () => {
    await expect(answering(206, { error: 'Message text is required' }).adapter.send(message)).rejects.toMatchObject({ kind: 'rejected', retryable: false });
    await expect(answering(200, { data: [] }).adapter.send(message)).rejects.toMatchObject({ kind: 'outcome_unknown', retryable: false });
  });

  it('bounds Retry-After on 429 and retries', async () => {
    await expect(answering(429, { error: 'Too many requests' }, { 'retry-after': '15' }).adapter.send(message)).rejects.toMatchObject({ kind: 'rate_limited', retryable: true, details: { retryAfterMs: 15_000 } });
    await expect(answering(429, { error: 'Too many requests' }, { 'retry-after': '7200' }).adapter.send(message)).rejects.toMatchObject({ retryable: false });
  });

  it('refuses groups, a second media file and non-US numbers before calling QuestBlue', async () => {
    const { adapter: a, requests } = answering(200, { data: [{ msg_id: '1' }] });
    await expect(a.send({ ...message, to: ['+14155550199', '+14155550198'] })).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(a.send({ ...message, mediaUrls: ['https://x.test/1.jpg', 'https://x.test/2.jpg'] })).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(a.send({ ...message, to: ['+447700900123'] })).rejects.toMatchObject({ kind: 'invalid_number' });
    expect(requests).toEqual([]);
  });

  it('downloads media with the API credentials from QuestBlue hosts only', async () => {
    const { adapter: a, requests } = answering(200, {});
    await a.fetchMedia('https://api.questblue.com/media/sms/a.jpg');
    await a.fetchMedia('https://cdn.example.net/a.jpg');
    expect(requests[0]!.headers).toMatchObject({ authorization: basicAuth(credentials.login, credentials.password), 'security-key': credentials.securityKey });
    expect(requests[1]!.headers).toEqual({});
  });
});

describe('questblue group MMS through the app', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let webhookUrl: string;

  beforeAll(async () => {
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    ({ webhookUrl } = await createAccountAndNumber(harness.app, tenant, { type: 'questblue', credentials, baseUrl: 'http://127.0.0.1:9', number: '+14155550100', mps: 0 }));
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('stores a message to several numbers once, in one group conversation', async () => {
    const url = new URL(webhookUrl);
    const payload = JSON.stringify({ from: '4155550199', to: ['4155550100', '4155550142', '4155550177'], text: 'Dinner at 7?', media: [], segments: '1', type: 'MMS' });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await harness.app.inject({ method: 'POST', url: url.pathname + url.search, headers: { 'content-type': 'application/json' }, payload });
      expect(response.statusCode, response.body).toBe(200);
    }
    const messages = (await harness.app.inject({ method: 'GET', url: '/api/v1/messages?direction=inbound', headers: tenant.auth })).json().items;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ from: '+14155550199', to: ['+14155550100', '+14155550142', '+14155550177'], body: 'Dinner at 7?' });
    const conversations = (await harness.app.inject({ method: 'GET', url: '/api/v1/conversations', headers: tenant.auth })).json().items;
    const conversation = conversations.find((c: { id: string }) => c.id === messages[0].conversationId);
    expect([...conversation.remoteNumbers].sort()).toEqual(['+14155550142', '+14155550177', '+14155550199']);
  });
});
