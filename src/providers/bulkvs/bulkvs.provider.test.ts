import { describe, expect, it } from 'vitest';
import { credentialsFromEnv } from '../core/credentials.js';
import { MalformedWebhookError } from '../core/errors.js';
import type { AdapterDeps, OutboundMessage, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { startBulkvsEmulator } from './bulkvs.emulator.js';
import { bulkvsManifest } from './bulkvs.manifest.js';
import { bulkvsProvider, createBulkvsProvider } from './bulkvs.provider.js';

const credentials = { apiUsername: 'switchboard-api', apiToken: 'c0ffee0123456789abcdef0123456789' };
const digits = (e164: string) => e164.replace(/^\+/, '');

describeProviderContract({
  type: 'bulkvs',
  credentials,
  authScheme: 'url-token',
  startEmulator: (deliver) => startBulkvsEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/v1.0/messageSend');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Basic ' + Buffer.from(`${credentials.apiUsername}:${credentials.apiToken}`).toString('base64'));
    const body = { From: digits(sent.from), To: [digits(sent.to)], Message: sent.body };
    expect(JSON.parse(request.text)).toEqual(sent.mediaUrls.length > 0 ? { ...body, MediaURLs: sent.mediaUrls } : body);
  },
  errors: [
    { status: 200, body: { RefId: 'a1b2', From: '15005550006', MessageType: 'SMS', Results: [{ To: '15551234567', Status: 'FAILED: Invalid number' }] }, expect: { code: 'FAILED: Invalid number' } },
    { status: 400, body: { Code: '400', Description: 'Invalid request' }, expect: { code: '400' } },
    { status: 401, body: { Code: '401', Description: 'Unauthorized' }, expect: { code: '401' } },
    { status: 429, body: { Code: '429', Description: 'Too many requests' }, expect: 'retry' },
    { status: 500, body: { Code: '500', Description: 'Internal error' }, expect: 'retry' },
  ],
  statuses: { DELIVRD: 'delivered', UNDELIV: 'undelivered', EXPIRED: 'undelivered', REJECTD: 'failed', DELETED: 'failed', ACCEPTD: 'sent', ENROUTE: 'sent', UNKNOWN: 'sent' },
});

const TOKEN = 'test-url-token-0123456789abcdef';
const deps: AdapterDeps = { ...offlineDeps, clock: () => new Date('2026-09-16T02:47:30Z') };
const account = { id: 'pa_01HX3QBULKVS', tenantId: 't_1', type: 'bulkvs', credentials, baseUrl: null, webhookUrl: `https://pbx.example.com/webhook/bulkvs/sms/pa_01HX3QBULKVS?token=${TOKEN}` };
const adapter = createBulkvsProvider(account, deps);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('bulkvs recorded webhooks', () => {
  const receipts: Array<[string, Record<string, unknown>]> = [
    ['status-delivered', { status: 'delivered', providerStatus: 'DELIVRD' }],
    ['status-delivered-unflagged', { status: 'delivered', providerStatus: 'DELIVRD' }],
    ['status-undelivered', { status: 'undelivered', providerStatus: 'UNDELIV', errorCode: '255', errorMessage: 'the carrier could not deliver the message (SMPP error 255)' }],
    ['status-expired', { status: 'undelivered', providerStatus: 'EXPIRED' }],
    ['status-rejected', { status: 'failed', providerStatus: 'REJECTD', errorCode: '011', errorMessage: 'the carrier rejected the message (SMPP error 011)' }],
    ['status-deleted', { status: 'failed', providerStatus: 'DELETED' }],
    ['status-accepted', { status: 'sent', providerStatus: 'ACCEPTD' }],
    ['status-enroute', { status: 'sent', providerStatus: 'ENROUTE' }],
    ['status-unknown', { status: 'sent', providerStatus: 'UNKNOWN' }],
  ];
  for (const [name, expected] of receipts) {
    it(`maps ${name} and matches it by numbers`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      const parsed = adapter.parseWebhook(request);
      expect(parsed.inbound).toEqual([]);
      expect(parsed.statuses).toEqual([{ providerMessageId: '1162999967', match: { ourNumber: '+13105550100', remoteNumber: '+13105551212' }, ...expected }]);
    });
  }

  it('keeps no error code on a receipt with err:000', () => {
    expect(adapter.parseWebhook(fixture('status-delivered')).statuses[0]).not.toHaveProperty('errorCode');
  });

  it('decodes a form-encoded inbound SMS', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound).toEqual([
      expect.objectContaining({ from: '+13105551212', to: ['+13105550100'], body: 'see you at 5, ok?', media: [], providerMessageId: expect.stringMatching(/^sha256:/) }),
    ]);
  });

  it('keeps a literal "+" in a body that is not encoded', () => {
    expect(adapter.parseWebhook(fixture('inbound-sms-literal-plus')).inbound[0]!.body).toBe('2+2 is 4');
  });

  it('reads an MMS: skips the SMIL layout, keeps the picture and the text part when Message is empty', () => {
    const [message] = adapter.parseWebhook(fixture('inbound-mms')).inbound;
    expect(message!.body).toBe('');
    expect(message!.media).toEqual([
      { url: 'https://s3.amazonaws.com/bulkvs-mms/13105550100/5f2a9c1e/IMG_0042.jpg', contentType: 'image/jpeg' },
      { url: 'https://s3.amazonaws.com/bulkvs-mms/13105550100/5f2a9c1e/text_0.txt', contentType: 'text/plain' },
    ]);
  });

  it('keeps every recipient of a group MMS and uses its RefId', () => {
    const [message] = adapter.parseWebhook(fixture('inbound-group-mms')).inbound;
    expect(message).toMatchObject({ providerMessageId: 'c8e1f0a2-6a1b-4e0f-9d5e-3b2a1c0d9e8f', to: ['+13105550100', '+13105559876'], body: 'dinner at 8?' });
    expect(message!.media).toEqual([{ url: 'https://s3.amazonaws.com/bulkvs-mms/13105550100/7b1d/photo.png', contentType: 'image/png' }]);
  });

  it('gives a retried webhook the same id within the minute and a repeated text a new one later', () => {
    const first = adapter.parseWebhook(fixture('inbound-sms')).inbound[0]!.providerMessageId;
    expect(adapter.parseWebhook(fixture('inbound-sms')).inbound[0]!.providerMessageId).toBe(first);
    const later = createBulkvsProvider(account, { ...deps, clock: () => new Date('2026-09-16T02:49:00Z') });
    expect(later.parseWebhook(fixture('inbound-sms')).inbound[0]!.providerMessageId).not.toBe(first);
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
      '["not", "an", "object"]',
      '{"From": "13105551212", "To": "13105550100", "Message": "x"}',
      '{"From": 13105551212, "To": ["13105550100"], "Message": "x"}',
      '{"From": "13105551212", "To": ["13105550100"], "Message": {"text": "x"}}',
      '{"From": "13105551212", "To": ["13105550100"], "Message": ""}',
      '{"From": "13105551212", "To": ["13105550100"], "Message": "id:1 sub", "DeliveryReceipt": true}',
    ];
    for (const body of cases) expect(() => adapter.parseWebhook({ ...fixture('inbound-sms'), rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
  });
});

describe('bulkvs sends', () => {
  const message: OutboundMessage = { id: 'msg_1', from: '+13105550100', to: ['+13105551212'], body: 'Reminder', mediaUrls: [], statusCallbackUrl: 'unused' };
  const answering = (status: number, body: unknown, creds: Record<string, string> = credentials) => {
    const requests: Array<{ url: string; init: RequestInit }> = [];
    const fetchStub = (async (url: string, init: RequestInit) => {
      requests.push({ url, init });
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    return { adapter: createBulkvsProvider({ ...account, credentials: creds }, { ...deps, fetch: fetchStub }), requests };
  };
  const ok = { RefId: '5a66dee6-1b7e-4b0c-9a55-2f1f3f0e0c11', From: '13105550100', MessageType: 'SMS', Results: [{ To: '13105551212', Status: 'SUCCESS' }] };

  it('uses the RefId as the provider id and the portal header when given instead of username and token', async () => {
    const { adapter: a, requests } = answering(200, ok, { basicAuthHeader: 'c3dpdGNoYm9hcmQ6c2VjcmV0' });
    await expect(a.send(message)).resolves.toMatchObject({ providerMessageId: ok.RefId, status: 'sent' });
    expect(requests[0]!.url).toBe('https://portal.bulkvs.com/api/v1.0/messageSend');
    expect((requests[0]!.init.headers as Record<string, string>).authorization).toBe('Basic c3dpdGNoYm9hcmQ6c2VjcmV0');
  });

  it('sorts failures inside a 200 by their wording and keeps the status as the code', async () => {
    const failing = (status: string) => ({ ...ok, Results: [{ To: '13105551212', Status: status }] });
    await expect(answering(200, failing('Invalid destination number')).adapter.send(message)).rejects.toMatchObject({ kind: 'invalid_number', code: 'Invalid destination number', retryable: false });
    await expect(answering(200, failing('Insufficient funds')).adapter.send(message)).rejects.toMatchObject({ kind: 'insufficient_funds', retryable: false });
    await expect(answering(200, failing('Recipient opted out (STOP)')).adapter.send(message)).rejects.toMatchObject({ kind: 'opted_out', retryable: false });
  });

  it('never resends a 200 whose answer cannot be read', async () => {
    await expect(answering(200, { unexpected: true }).adapter.send(message)).rejects.toMatchObject({ kind: 'outcome_unknown', retryable: false });
  });

  it('refuses numbers outside +1 and group sends before calling BulkVS', async () => {
    const { adapter: a, requests } = answering(200, ok);
    await expect(a.send({ ...message, to: ['+442071838750'] })).rejects.toMatchObject({ kind: 'invalid_number' });
    await expect(a.send({ ...message, to: ['+13105551212', '+13105559876'] })).rejects.toMatchObject({ kind: 'unsupported' });
    expect(requests).toEqual([]);
  });

  it('reads an FS PBX .env unchanged', () => {
    const env = { BULKVS_API_USERNAME: 'fspbx', BULKVS_API_TOKEN: 'tok', BULKVS_BASE_URL: 'https://portal.bulkvs.com/api/v1.0' };
    expect(credentialsFromEnv(bulkvsManifest, env)).toEqual({ credentials: { apiUsername: 'fspbx', apiToken: 'tok' }, baseUrl: 'https://portal.bulkvs.com/api/v1.0' });
    expect(credentialsFromEnv(bulkvsManifest, { BULKVS_BASIC_AUTH_HEADER: 'Basic Zm9vOmJhcg==' })).toEqual({ credentials: { basicAuthHeader: 'Basic Zm9vOmJhcg==' }, baseUrl: null });
  });

  it('requires username and token, or the Basic auth header', () => {
    expect(() => bulkvsProvider.validate!({ apiUsername: 'u' })).toThrow(/apiToken/);
    expect(() => bulkvsProvider.validate!({ basicAuthHeader: 'Basic abc' })).not.toThrow();
  });
});
