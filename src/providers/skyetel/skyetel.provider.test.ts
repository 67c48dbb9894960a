import { describe, expect, it } from 'vitest';
import { MalformedWebhookError } from '../core/errors.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { startSkyetelEmulator } from './skyetel.emulator.js';
import { createSkyetelProvider } from './skyetel.provider.js';

const credentials = { sid: 'SKY1a2b3c4d5e6f', secret: 'skysecret0123456789abcdef' };
const digits = (e164: string) => e164.replace(/^\+/, '');

describeProviderContract({
  type: 'skyetel',
  credentials,
  authScheme: 'url-token',
  receipts: false,
  startEmulator: (deliver) => startSkyetelEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/v1/out?from=${digits(sent.from)}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Basic ' + Buffer.from(`${credentials.sid}:${credentials.secret}`).toString('base64'));
    const body = { to: digits(sent.to), text: sent.body };
    expect(JSON.parse(request.text)).toEqual(sent.mediaUrls.length > 0 ? { ...body, media: sent.mediaUrls } : body);
  },
  errors: [
    { status: 400, body: { ERROR: 'Invalid destination' }, expect: { code: 'rejected' } },
    { status: 401, body: { ERROR: 'Invalid SID or secret' }, expect: { code: 'auth_failed' } },
    { status: 402, body: { ERROR: 'Insufficient balance' }, expect: { code: 'insufficient_funds' } },
    { status: 403, body: { ERROR: 'SMS is not enabled on this number' }, expect: { code: 'auth_failed' } },
    { status: 429, body: { ERROR: 'Too many requests' }, expect: 'retry' },
    { status: 502, body: 'Bad gateway', expect: 'retry' },
  ],
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = { ...offlineDeps, clock: () => new Date('2026-03-02T15:04:30Z') };
const account = { id: 'pa_01HX3QSKYETEL', tenantId: 't_1', type: 'skyetel', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/skyetel/sms/pa_01HX3QSKYETEL?token=${TOKEN}` };
const adapter = createSkyetelProvider(account, deps);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('skyetel recorded webhooks', () => {
  it('parses an inbound SMS with 11-digit numbers', async () => {
    const request = fixture('inbound-sms');
    await adapter.verifyWebhook(request);
    expect(adapter.parseWebhook(request)).toEqual({
      inbound: [expect.objectContaining({ providerMessageId: expect.stringMatching(/^sha256:/), from: '+15558001234', to: ['+15558004321'], body: 'Running 10 min late, sorry!', media: [] })],
      statuses: [],
    });
  });

  it('accepts numbers with "+" and an empty media list', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms-plus')).inbound[0]).toMatchObject({ from: '+15558001234', to: ['+15558004321'], body: 'ok 👍', media: [] });
  });

  it('parses an inbound MMS with its media URLs', () => {
    expect(adapter.parseWebhook(fixture('inbound-mms')).inbound[0]).toMatchObject({
      body: '',
      media: [{ url: 'https://mms.skyetel.com/media/7f3c2a91/IMG_2231.jpg' }, { url: 'https://mms.skyetel.com/media/7f3c2a91/IMG_2232.jpg' }],
    });
  });

  it('gives a retry within the minute the same id, and the same text a minute later a new one', () => {
    const first = adapter.parseWebhook(fixture('inbound-sms')).inbound[0]!.providerMessageId;
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound[0]!.providerMessageId).toBe(first);
    const later = createSkyetelProvider(account, { ...deps, clock: () => new Date('2026-03-02T15:05:01Z') });
    expect(later.parseWebhook(fixture('inbound-sms')).inbound[0]!.providerMessageId).not.toBe(first);
  });

  it('reads the GET variant from the query string', () => {
    const url = `${account.webhookUrl}&from=15558001234&to=15558004321&text=hello`;
    expect(adapter.parseWebhook({ method: 'GET', url, headers: {}, rawBody: Buffer.alloc(0), query: Object.fromEntries(new URL(url).searchParams) }).inbound[0]).toMatchObject({ body: 'hello' });
  });

  it('refuses a missing or wrong URL token', async () => {
    const genuine = fixture('inbound-sms');
    await expect(adapter.verifyWebhook({ ...genuine, query: {} })).rejects.toMatchObject({ reason: 'missing_signature' });
    await expect(adapter.verifyWebhook({ ...genuine, query: { token: 'guess' } })).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects malformed and truncated bodies', () => {
    const json = fixture('inbound-sms').rawBody.toString();
    const cases = [
      '',
      json.slice(0, Math.floor(json.length / 2)),
      '[1, 2]',
      '{"from": "15558001234", "to": ["15558004321"], "text": "x"}',
      '{"from": "15558001234", "to": "15558004321", "text": 5}',
      '{"from": "15558001234", "to": "15558004321", "text": "x", "media": "https://x.test/a.jpg"}',
      '{"from": "15558001234", "to": "15558004321", "text": ""}',
    ];
    for (const body of cases) expect(() => adapter.parseWebhook({ ...fixture('inbound-sms'), rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
  });
});

describe('skyetel sends', () => {
  const message: OutboundMessage = { id: 'msg_01HX3Q', from: '+15558004321', to: ['+15558001234'], body: 'See you at 5', mediaUrls: [], statusCallbackUrl: 'unused' };
  const answering = (status: number, body: string, contentType = 'application/json') => {
    const requests: string[] = [];
    const fetchStub = (async (url: string) => {
      requests.push(url);
      return new Response(body, { status, headers: { 'content-type': contentType } });
    }) as unknown as typeof fetch;
    return { adapter: createSkyetelProvider({ ...account, baseUrl: 'https://sms.skyetel.com/v1' }, { ...deps, fetch: fetchStub }), requests };
  };

  it('ends at sent under our own id when the answer has none, and keeps an id when it has one', async () => {
    const plain = answering(200, '', 'text/plain');
    await expect(plain.adapter.send(message)).resolves.toMatchObject({ providerMessageId: 'msg_01HX3Q', status: 'sent' });
    expect(plain.requests[0]).toBe('https://sms.skyetel.com/v1/out?from=15558004321');
    await expect(answering(200, '{"id": "c4f1e2"}').adapter.send(message)).resolves.toMatchObject({ providerMessageId: 'c4f1e2' });
  });

  it('waits out the 5-minute block on a 403 send-rate answer', async () => {
    await expect(answering(403, '{"ERROR": "Rate limit exceeded: 300 messages per 5 minutes"}').adapter.send(message)).rejects.toMatchObject({ kind: 'rate_limited', retryable: true, details: { retryAfterMs: 300_000 } });
  });

  it('refuses numbers outside +1 and group sends before calling Skyetel', async () => {
    const { adapter: a, requests } = answering(200, '{}');
    await expect(a.send({ ...message, to: ['+442071838750'] })).rejects.toMatchObject({ kind: 'invalid_number' });
    await expect(a.send({ ...message, to: ['+15558001234', '+15558009999'] })).rejects.toMatchObject({ kind: 'unsupported' });
    expect(requests).toEqual([]);
  });
});
