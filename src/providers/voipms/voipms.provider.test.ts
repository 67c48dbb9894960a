import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, eventually, type TestApp } from '../../../test/helper.js';
import { bootstrap } from '../../bootstrap.js';
import { createApiKey } from '../../services/tenants.js';
import type { ProviderEmulator } from '../testing/emulator.js';
import { MalformedWebhookError } from '../core/errors.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { startVoipmsEmulator, voipmsFormFields, VOIPMS_EMULATOR_PATH } from './voipms.emulator.js';
import { voipmsManifest } from './voipms.manifest.js';
import { createVoipmsProvider } from './voipms.provider.js';

const credentials = { apiUsername: 'owner@example.com', apiPassword: 'Api-Passw0rd-for-tests' };

describeProviderContract({
  type: 'voipms',
  credentials,
  authScheme: 'url-token',
  receipts: false,
  startEmulator: (deliver) => startVoipmsEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe(VOIPMS_EMULATOR_PATH);
    expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const media = Object.fromEntries(sent.mediaUrls.map((url, index) => [`media${index + 1}`, url]));
    expect(voipmsFormFields(request)).toEqual({
      api_username: credentials.apiUsername,
      api_password: credentials.apiPassword,
      method: sent.mediaUrls.length > 0 ? 'sendMMS' : 'sendSMS',
      did: sent.from.replace(/^\+1/, ''),
      dst: sent.to.replace(/^\+1/, ''),
      message: sent.body,
      ...media,
    });
  },
  // VoIP.ms answers HTTP 200 with an error word.
  errors: [
    { status: 200, body: { status: 'invalid_dst' }, expect: { code: 'invalid_dst' } },
    { status: 200, body: { status: 'invalid_credentials' }, expect: { code: 'invalid_credentials' } },
    { status: 200, body: { status: 'ip_not_enabled' }, expect: { code: 'ip_not_enabled' } },
    { status: 200, body: { status: 'sms_failed' }, expect: { code: 'sms_failed' } },
    { status: 200, body: { status: 'limit_reached' }, expect: 'retry' },
    { status: 503, body: 'Service Unavailable', expect: 'retry' },
  ],
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = { ...offlineDeps, clock: () => new Date('2024-05-06T17:10:00Z') };
const account = { id: 'pa_01HX7Z', tenantId: 't_1', type: 'voipms', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/voipms/sms/pa_01HX7Z?token=${TOKEN}&${voipmsManifest.webhookQuery}` };
const adapter = createVoipmsProvider(account, deps);
const folder = new URL('./__fixtures__/', import.meta.url);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(folder, name);
const withQuery = (request: WebhookRequest, query: Record<string, string>): WebhookRequest => ({ ...request, query });

describe('voipms recorded webhooks', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['inbound-sms', { providerMessageId: '58102936', from: '+14155550199', to: ['+14155550100'], body: 'Can we move it to 3pm?', media: [] }],
    ['inbound-mms', { providerMessageId: '58102937', body: 'Here is the photo', media: [{ url: 'https://voip.ms/media/2024/05/06/58102937_1.jpg' }] }],
    ['inbound-mms-media-only', { providerMessageId: '58102938', body: '', media: [{ url: 'https://voip.ms/media/2024/05/06/58102938_1.jpg' }, { url: 'https://voip.ms/media/2024/05/06/58102938_2.png' }] }],
    ['inbound-sms-e164', { providerMessageId: '58102939', from: '+14155550199', to: ['+14155550100'], body: 'E.164 formatted DID' }],
    // A DID set to E.164 whose `+` arrives unencoded (a space once decoded).
    ['inbound-sms-e164-unencoded', { providerMessageId: '58102943', from: '+14155550199', to: ['+14155550100'], body: 'plus signs not encoded' }],
    ['inbound-json-sms', { providerMessageId: '58102940', from: '+14155550199', to: ['+14155550100'], body: 'Sent through the JSON webhook', media: [] }],
    // Several recipients stay one group message; the .smil part is dropped.
    ['inbound-json-group-mms', { providerMessageId: '58102941', to: ['+14155550100', '+14155550142'], body: 'Group photo', media: [{ url: 'https://voip.ms/media/2024/05/06/58102941_1.jpg' }] }],
  ];
  for (const [name, expected] of cases) {
    it(`parses ${name}`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      const parsed = adapter.parseWebhook(request);
      expect(parsed.statuses).toEqual([]);
      expect(parsed.inbound).toEqual([expect.objectContaining(expected)]);
    });
  }

  it('acknowledges and ignores JSON events other than message.received (VoIP.ms has no receipts)', () => {
    expect(adapter.parseWebhook(fixture('inbound-json-other-event'))).toEqual({ inbound: [], statuses: [] });
  });

  it('shows the callback URL with every placeholder VoIP.ms fills', () => {
    for (const placeholder of ['{TO}', '{FROM}', '{MESSAGE}', '{ID}', '{TIMESTAMP}', '{MEDIA}']) expect(voipmsManifest.webhookQuery).toContain(placeholder);
    expect(voipmsManifest.capabilities.statusCallbacks).toBe(false);
  });

  it('refuses a missing or wrong URL token', async () => {
    const genuine = fixture('inbound-sms');
    const { token: _token, ...withoutToken } = genuine.query;
    await expect(adapter.verifyWebhook(withQuery(genuine, withoutToken))).rejects.toMatchObject({ reason: 'missing_signature' });
    await expect(adapter.verifyWebhook(withQuery(genuine, { ...genuine.query, token: 'guess' }))).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects truncated, unfilled and garbled callbacks', () => {
    const genuine = fixture('inbound-sms');
    const { id: _id, ...withoutId } = genuine.query;
    const queries: Array<Record<string, string>> = [
      {},
      withoutId,
      { ...genuine.query, id: '{ID}' },
      { ...genuine.query, from: '{FROM}' },
      { ...genuine.query, from: 'not-a-number' },
      { ...genuine.query, message: '', media: '' },
      { ...genuine.query, media: 'javascript:alert(1)' },
      { ...genuine.query, message: 'nul\u0000byte' },
      { ...genuine.query, id: ['1', '2'] as unknown as string },
    ];
    for (const query of queries) expect(() => adapter.parseWebhook(withQuery(genuine, query)), JSON.stringify(query)).toThrow(MalformedWebhookError);
  });

  it('rejects malformed JSON webhooks', () => {
    const json = fixture('inbound-json-sms');
    const bodies = [
      json.rawBody.toString().slice(0, 60),
      '{"data": "x"}',
      '{"data": {"event_type": "message.received"}}',
      '{"data": {"event_type": "message.received", "payload": {"id": "1", "from": {"phone_number": "+14155550199"}, "to": "+14155550100", "text": "x"}}}',
      '{"data": {"event_type": "message.received", "payload": {"id": "1", "from": {"phone_number": "+14155550199"}, "to": [{"phone_number": "+14155550100"}], "text": 5}}}',
      '{"data": {"event_type": "message.received", "payload": {"id": "1", "from": {"phone_number": "+14155550199"}, "to": [{"phone_number": "+14155550100"}], "media": "https://x"}}}',
    ];
    for (const body of bodies) expect(() => adapter.parseWebhook({ ...json, rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
  });
});

describe('voipms sends', () => {
  const message: OutboundMessage = { id: 'msg_1', from: '+14155550100', to: ['+14155550199'], body: 'hi', mediaUrls: [], statusCallbackUrl: account.webhookUrl };
  const answers = JSON.parse(fs.readFileSync(new URL('send-answers.json', folder), 'utf8')) as Array<{ name: string; body: unknown }>;
  const answer = (name: string) => answers.find((item) => item.name === name)!.body;
  const answering = (status: number, body: unknown, contentType = 'text/html; charset=UTF-8') => {
    const forms: Array<Record<string, string>> = [];
    const fetchStub = (async (_url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      forms.push(voipmsFormFields({ method: 'POST', url: '/', headers: { 'content-type': headers['content-type'] }, body: init.body as Buffer, text: String(init.body), at: 0 }));
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': contentType } });
    }) as typeof fetch;
    return { adapter: createVoipmsProvider(account, { ...deps, fetch: fetchStub }), forms };
  };

  it('reads the id from a JSON answer served as text/html', async () => {
    await expect(answering(200, answer('sms accepted')).adapter.send(message)).resolves.toMatchObject({ providerMessageId: '23434', status: 'sent' });
  });

  it('sends text over 160 characters with sendMMS', async () => {
    const { adapter: a, forms } = answering(200, answer('mms accepted'));
    await expect(a.send({ ...message, body: 'x'.repeat(161) })).resolves.toMatchObject({ providerMessageId: '12345' });
    expect(forms[0]!.method).toBe('sendMMS');
    const { adapter: b, forms: smsForms } = answering(200, answer('sms accepted'));
    await b.send({ ...message, body: 'x'.repeat(160) });
    expect(smsForms[0]!.method).toBe('sendSMS');
  });

  it('sorts error words into permanent and retried kinds', async () => {
    const expected: Array<[string, Record<string, unknown>]> = [
      ['invalid destination', { kind: 'invalid_number', code: 'invalid_dst', retryable: false }],
      ['wrong API password', { kind: 'auth_failed', code: 'invalid_credentials', retryable: false }],
      ['IP not on the API allow-list', { kind: 'auth_failed', code: 'ip_not_enabled', retryable: false }],
      ['daily API limit', { kind: 'rate_limited', code: 'limit_reached', retryable: true }],
      ['text too long for SMS', { kind: 'rejected', code: 'sms_toolong', retryable: false }],
      ['sending failed', { kind: 'rejected', code: 'sms_failed', retryable: false }],
    ];
    for (const [name, error] of expected) await expect(answering(200, answer(name)).adapter.send(message), name).rejects.toMatchObject(error);
    await expect(answering(200, { status: 'recipient_opted_out' }).adapter.send(message)).rejects.toMatchObject({ kind: 'opted_out' });
    await expect(answering(200, { status: 'insufficient_balance' }).adapter.send(message)).rejects.toMatchObject({ kind: 'insufficient_funds' });
  });

  it('never resends an answer it cannot read: success without id or no status is an unknown outcome', async () => {
    await expect(answering(200, { status: 'success' }).adapter.send(message)).rejects.toMatchObject({ kind: 'outcome_unknown', retryable: false });
    await expect(answering(200, '<html>maintenance</html>').adapter.send(message)).rejects.toMatchObject({ kind: 'outcome_unknown' });
  });

  it('refuses groups, a fourth media file and non-NANP numbers before calling VoIP.ms', async () => {
    const { adapter: a, forms } = answering(200, answer('sms accepted'));
    await expect(a.send({ ...message, to: ['+14155550199', '+14155550198'] })).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(a.send({ ...message, mediaUrls: ['1', '2', '3', '4'].map((n) => `https://x.test/${n}.jpg`) })).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(a.send({ ...message, to: ['+447700900123'] })).rejects.toMatchObject({ kind: 'invalid_number', code: 'invalid_dst' });
    expect(forms).toEqual([]);
  });
});

describe('voipms account from the environment (FS PBX style)', () => {
  let harness: TestApp;
  let emulator: ProviderEmulator;
  let auth: { authorization: string };

  beforeAll(async () => {
    emulator = await startVoipmsEmulator({
      ...credentials,
      deliver: async (url, init) => {
        const parsed = new URL(url);
        const response = await harness.app.inject({ method: 'GET', url: parsed.pathname + parsed.search, headers: init.headers });
        return { status: response.statusCode, body: response.body };
      },
    });
    harness = await createTestApp({ env: { VOIPMS_API_USERNAME: credentials.apiUsername, VOIPMS_API_PASSWORD: credentials.apiPassword, VOIPMS_BASE_URL: emulator.baseUrl } });
    await bootstrap(harness.ctx);
    const tenant = await harness.ctx.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow();
    auth = { authorization: `Bearer ${(await createApiKey(harness.ctx.db, tenant.id, 'voipms env test')).key}` };
    const number = await harness.app.inject({ method: 'POST', url: '/api/v1/numbers', headers: auth, payload: { number: '+14155550100', providerAccountId: 'env_voipms', mps: 0 } });
    expect(number.statusCode, number.body).toBe(201);
  });
  afterAll(async () => {
    await emulator?.close();
    await harness?.close();
  });

  it('lists voipms with its variables and no receipts in GET /provider-types', async () => {
    const types = (await harness.app.inject({ method: 'GET', url: '/api/v1/provider-types', headers: auth })).json();
    const voipms = types.items.find((item: { type: string }) => item.type === 'voipms');
    expect(voipms.credentials.map((field: { env: string }) => field.env)).toEqual(['VOIPMS_API_USERNAME', 'VOIPMS_API_PASSWORD']);
    expect(voipms).toMatchObject({ baseUrlEnv: 'VOIPMS_BASE_URL', capabilities: { statusCallbacks: false, maxMediaCount: 3, signedWebhooks: false } });
  });

  it('sends text over 160 characters through sendMMS end to end', async () => {
    const before = emulator.requests.length;
    const body = 'Long reply. '.repeat(20).trim();
    const sent = await harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: auth, payload: { from: '+14155550100', to: '+14155550199', body } });
    expect(sent.statusCode, sent.body).toBe(202);
    await eventually(async () => (await harness.app.inject({ method: 'GET', url: `/api/v1/messages/${sent.json().id}`, headers: auth })).json().status === 'sent');
    expect(voipmsFormFields(emulator.requests[before]!)).toMatchObject({ method: 'sendMMS', message: body });
  });

  it('refuses up front, with nothing queued, what VoIP.ms cannot carry', async () => {
    const before = emulator.requests.length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ to: ['+14155550199', '+14155550198'], body: 'group' }, 'group_mms_unsupported'],
      [{ to: '+14155550199', body: 'x'.repeat(1601) }, 'body_too_long'],
      [{ to: '+14155550199', body: 'four files', media: ['1', '2', '3', '4'].map((n) => ({ url: `https://cdn.example.com/${n}.png` })) }, 'too_many_media'],
    ];
    for (const [payload, code] of cases) {
      const response = await harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: auth, payload: { from: '+14155550100', ...payload } });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.code).toBe(code);
    }
    expect(emulator.requests.length).toBe(before);
  });

  it('shows the GET callback URL with its placeholders, sends through it and takes inbound on it', async () => {
    const accounts = (await harness.app.inject({ method: 'GET', url: '/api/v1/provider-accounts', headers: auth })).json();
    const account = accounts.items.find((item: { id: string }) => item.id === 'env_voipms');
    const callback: string = account.webhookUrls.inbound;
    expect(callback).toMatch(/^http:\/\/switchboard\.test\/webhook\/voipms\/sms\?token=[A-Za-z0-9_-]+&to=\{TO\}&from=\{FROM\}&message=\{MESSAGE\}&id=\{ID\}&date=\{TIMESTAMP\}&media=\{MEDIA\}$/);

    const before = emulator.requests.length;
    const sent = await harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: auth, payload: { from: '+14155550100', to: '+14155550199', body: 'from env' } });
    expect(sent.statusCode, sent.body).toBe(202);
    const message = await eventually(async () => {
      const m = (await harness.app.inject({ method: 'GET', url: `/api/v1/messages/${sent.json().id}`, headers: auth })).json();
      return m.status === 'sent' && m;
    });
    expect(message.providerMessageId).toMatch(/^\d+$/);
    expect(voipmsFormFields(emulator.requests[before]!)).toMatchObject({ method: 'sendSMS', did: '4155550100', dst: '4155550199', message: 'from env' });

    const inbound = await emulator.deliver(emulator.buildInbound({ webhookUrl: callback, from: '+14155550199', to: '+14155550100', body: 'to env & back?' }));
    expect(inbound).toEqual({ status: 200, body: 'ok' });
    const list = (await harness.app.inject({ method: 'GET', url: '/api/v1/messages?direction=inbound', headers: auth })).json();
    expect(list.items[0]).toMatchObject({ from: '+14155550199', to: '+14155550100', body: 'to env & back?', providerType: 'voipms' });
  });
});
