import { describe, expect, it } from 'vitest';
import { MalformedWebhookError } from '../core/errors.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { TINY_PNG } from '../testing/emulator.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { startVoipinnovationsEmulator } from './voipinnovations.emulator.js';
import { createVoipinnovationsProvider } from './voipinnovations.provider.js';

const credentials = { apiKey: 'vi-api-login-4821', apiSecret: 'S3cr3t-0123456789abcdef' };
const digits = (n: string) => n.replace(/^\+/, '');

describeProviderContract({
  type: 'voipinnovations',
  credentials,
  authScheme: 'url-token',
  receipts: false,
  startEmulator: (deliver) => startVoipinnovationsEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/${credentials.apiKey}/sms/send?api_secret=${credentials.apiSecret}`);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.authorization).toBeUndefined();
    const form = [...new URLSearchParams(request.text).entries()];
    const base: Array<[string, string]> = [['from', digits(sent.from)], ['to', digits(sent.to)]];
    expect(form).toEqual(sent.mediaUrls.length > 0 ? [...base, ['message_type', 'MMS'], ['body', sent.body], ...sent.mediaUrls.map((url): [string, string] => ['file_urls[]', url])] : [...base, ['body', sent.body]]);
  },
  errors: [
    { status: 200, body: { ok: false, error: 'Invalid destination number' }, expect: { code: 'invalid_number' } },
    { status: 400, body: { ok: false, message: 'Insufficient balance' }, expect: { code: 'insufficient_funds' } },
    { status: 401, body: { ok: false, message: 'Invalid API key or secret' }, expect: { code: 'auth_failed' } },
    { status: 429, body: { ok: false, message: 'Too many requests' }, expect: 'retry' },
    { status: 502, body: 'Bad gateway', expect: 'retry' },
  ],
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = offlineDeps;
const account = { id: 'pa_1', tenantId: 't_1', type: 'voipinnovations', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/voipinnovations/sms?token=${TOKEN}` };
const adapter = createVoipinnovationsProvider(account, deps);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('voipinnovations recorded webhooks', () => {
  it('parses an inbound SMS without an id (each delivery gets its own id)', () => {
    const [message] = adapter.parseWebhook(fixture('inbound-sms')).inbound;
    expect(message).toMatchObject({ from: '+14155550199', to: ['+14155550100'], body: 'YES please book it', media: [] });
    expect(message!.providerMessageId).toMatch(/^vi-/);
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound[0]!.providerMessageId).not.toBe(message!.providerMessageId);
  });

  it('uses an id field when the payload has one', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms-with-id')).inbound[0]!.providerMessageId).toBe('0d706ee2-3c1f-4d5e-9a8b-7c6d5e4f3a2b');
  });

  it('parses MMS files given as URLs', () => {
    expect(adapter.parseWebhook(fixture('inbound-mms-urls')).inbound[0]).toMatchObject({ body: 'See attached', media: [{ url: 'https://cpaas-api.voipinnovations.com/media/0d706ee2/IMG_0042.jpg' }] });
  });

  it('decodes MMS files given inline as name:base64 pairs', async () => {
    const [message] = adapter.parseWebhook(fixture('inbound-mms-inline')).inbound;
    expect(message!.media.map((m) => m.contentType)).toEqual(['image/png', 'text/plain']);
    const png = await adapter.fetchMedia(message!.media[0]!.url);
    expect(png.contentType).toBe('image/png');
    expect(png.data.equals(TINY_PNG)).toBe(true);
    expect((await adapter.fetchMedia(message!.media[1]!.url)).data.toString()).toBe('hello');
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
      '[]',
      '{"type": "outgoingWebhookSMS", "caller_id_number": "1", "destination_number": "2", "text": "x"}',
      '{"type": "incomingWebhookSMS", "destination_number": "14155550100", "text": "x"}',
      '{"type": "incomingWebhookSMS", "caller_id_number": "14155550199", "destination_number": "14155550100"}',
      '{"type": "incomingWebhookSMS", "caller_id_number": ["1"], "destination_number": "2", "text": "x"}',
      '{"type": "incomingWebhookMMS", "caller_id_number": "1", "destination_number": "2", "text": "", "files": ["ftp://x/y.jpg"]}',
      '{"type": "incomingWebhookMMS", "caller_id_number": "1", "destination_number": "2", "text": "", "files": "garbage"}',
      '{"type": "incomingWebhookMMS", "caller_id_number": "1", "destination_number": "2", "text": "", "files": 5}',
      `{"type": "incomingWebhookMMS", "caller_id_number": "1", "destination_number": "2", "text": "", "files": "{'big.jpg':'${'A'.repeat(7 * 1024 * 1024)}'}"}`,
    ];
    for (const body of cases) expect(() => adapter.parseWebhook({ ...fixture('inbound-sms'), rawBody: Buffer.from(body) }), body.slice(0, 120)).toThrow(MalformedWebhookError);
  });
});

describe('voipinnovations send', () => {
  const message: OutboundMessage = { id: 'msg_1', from: '+14155550100', to: ['+14155550199'], body: 'hi', mediaUrls: [], statusCallbackUrl: account.webhookUrl };
  const answering = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const requests: Array<{ url: string; body: string }> = [];
    const fetchStub = (async (url: string, init: RequestInit) => {
      requests.push({ url: String(url), body: String(init.body) });
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
    }) as typeof fetch;
    return { adapter: createVoipinnovationsProvider(account, { ...deps, fetch: fetchStub }), requests };
  };

  it('ends an accepted send at sent (no receipts) with details.uuid as the id', async () => {
    const { adapter: a, requests } = answering(200, { ok: true, message: 'Message sent', details: { uuid: '0d706ee2' } });
    await expect(a.send(message)).resolves.toMatchObject({ providerMessageId: '0d706ee2', status: 'sent' });
    expect(requests[0]!.url).toBe('https://cpaas-api.voipinnovations.com/vi-api-login-4821/sms/send?api_secret=S3cr3t-0123456789abcdef');
  });

  it('sends a single space as the body of a text-less MMS, as FS PBX does', async () => {
    const { adapter: a, requests } = answering(200, { ok: true, details: { uuid: 'u' } });
    await a.send({ ...message, body: '', mediaUrls: ['https://x.test/a.jpg'] });
    expect(new URLSearchParams(requests[0]!.body).get('body')).toBe(' ');
  });

  it('sorts refusals: ok:false in a 200 is permanent, opt-outs mark the recipient, Retry-After bounded', async () => {
    await expect(answering(200, { ok: false, error: 'Number is blacklisted (opted out)' }).adapter.send(message)).rejects.toMatchObject({ kind: 'opted_out', retryable: false });
    await expect(answering(200, { ok: false }).adapter.send(message)).rejects.toMatchObject({ kind: 'rejected', retryable: false });
    await expect(answering(403, { ok: false, message: 'Request not allowed from this IP address' }).adapter.send(message)).rejects.toMatchObject({ kind: 'auth_failed' });
    await expect(answering(429, {}, { 'retry-after': '5' }).adapter.send(message)).rejects.toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 5000 } });
    await expect(answering(200, { ok: true }).adapter.send(message)).rejects.toMatchObject({ kind: 'unavailable' });
  });

  it('refuses a group send before calling VoIP Innovations', async () => {
    const { adapter: a, requests } = answering(200, {});
    await expect(a.send({ ...message, to: ['+14155550199', '+14155550198'] })).rejects.toMatchObject({ kind: 'unsupported' });
    expect(requests).toEqual([]);
  });
});
