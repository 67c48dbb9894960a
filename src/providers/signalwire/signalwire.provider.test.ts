import { describe, expect, it } from 'vitest';
import { MalformedWebhookError } from '../core/errors.js';
import type { AdapterDeps, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { startSignalwireEmulator } from './signalwire.emulator.js';
import { createSignalwireProvider, signalwireApiRoot, signalwireSpaceOrigin } from './signalwire.provider.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';

const credentials = { projectId: '446e9986-0848-4d46-a617-48793c5f5e07', apiToken: 'PTtest0123456789abcdef', spaceUrl: 'example.signalwire.com', signingKey: 'PSKtest0123456789abcdefSigningKey' };

describeProviderContract({
  type: 'signalwire',
  credentials,
  startEmulator: (deliver) => startSignalwireEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/api/laml/2010-04-01/Accounts/${credentials.projectId}/Messages.json`);
    expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.headers.authorization).toBe('Basic ' + Buffer.from(`${credentials.projectId}:${credentials.apiToken}`).toString('base64'));
    const form = new URLSearchParams(request.text);
    expect(form.get('To')).toBe(sent.to);
    expect(form.get('From')).toBe(sent.from);
    expect(form.get('Body')).toBe(sent.body);
    expect(form.getAll('MediaUrl')).toEqual(sent.mediaUrls);
    expect(form.get('StatusCallback')).toMatch(/^http:\/\/switchboard\.test\/webhook\/signalwire\/sms\/pa_/);
  },
  errors: [
    { status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 }, expect: { code: '21211' } },
    { status: 401, body: { code: 20003, message: 'Authentication Error - invalid username', status: 401 }, expect: { code: '20003' } },
    { status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 }, expect: 'retry' },
    { status: 502, body: { message: 'Bad Gateway' }, expect: 'retry' },
  ],
  statuses: { queued: 'queued', sending: 'sending', sent: 'sent', delivered: 'delivered', undelivered: 'undelivered', failed: 'failed' },
});

const deps: AdapterDeps = offlineDeps;
const adapter = createSignalwireProvider({ id: 'pa_1', tenantId: 't_1', type: 'signalwire', credentials, baseUrl: null, webhookUrl: 'https://pbx.example.com/webhook/signalwire/sms' }, deps);

const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('signalwire send errors', () => {
  // Opt-out answers are checked on the adapter: through the app they also opt the contract's recipient out.
  const answering = (status: number, body: unknown) =>
    createSignalwireProvider({ id: 'pa_9', tenantId: 't_1', type: 'signalwire', credentials, baseUrl: 'http://127.0.0.1:9', webhookUrl: 'x' }, {
      ...deps,
      fetch: (async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })) as typeof fetch,
    });
  const message = { id: 'msg_1', from: '+14155550100', to: ['+14155550199'], body: 'hi', mediaUrls: [], statusCallbackUrl: 'https://x.test/cb' };
  it('sorts create-time codes into permanent kinds with the code kept', async () => {
    await expect(answering(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 }).send(message)).rejects.toMatchObject({ kind: 'opted_out', code: '21610', retryable: false });
    await expect(answering(400, { code: 21211, message: 'Invalid To', status: 400 }).send(message)).rejects.toMatchObject({ kind: 'invalid_number', code: '21211' });
    await expect(answering(503, { message: 'unavailable' }).send(message)).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
  });
});

describe('signalwire addressing', () => {
  it('reads the space from any common spelling', () => {
    for (const space of ['example', 'example.signalwire.com', 'https://example.signalwire.com/']) expect(signalwireSpaceOrigin(space)).toBe('https://example.signalwire.com');
  });
  it('puts the documented /api/laml prefix on the base exactly once', () => {
    expect(signalwireApiRoot('https://example.signalwire.com')).toBe('https://example.signalwire.com/api/laml');
    expect(signalwireApiRoot('https://example.signalwire.com/api/laml/')).toBe('https://example.signalwire.com/api/laml');
    expect(signalwireApiRoot('http://127.0.0.1:9000/api/laml/2010-04-01')).toBe('http://127.0.0.1:9000/api/laml');
  });
});

describe('signalwire recorded webhooks', () => {
  const statusCases: Array<[string, Record<string, unknown>]> = [
    ['status-queued', { status: 'queued' }],
    ['status-sending', { status: 'sending' }],
    ['status-sent', { status: 'sent' }],
    ['status-delivered', { status: 'delivered' }],
    ['status-delivered-twilio-header', { status: 'delivered' }],
    ['status-undelivered', { status: 'undelivered', errorCode: '30003', errorMessage: 'Unreachable destination handset', optedOut: false }],
    ['status-undelivered-opted-out', { status: 'undelivered', errorCode: '21610', optedOut: true }],
    ['status-failed', { status: 'failed', errorCode: '30006' }],
  ];
  for (const [name, expected] of statusCases) {
    it(`verifies and maps ${name}`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      expect(adapter.parseWebhook(request).statuses).toEqual([expect.objectContaining({ providerMessageId: 'e6a1c2b3-1f2e-4d3c-8b7a-9f8e7d6c5b4a', ...expected })]);
    });
  }

  it('parses an inbound SMS and MMS', async () => {
    const sms = fixture('inbound-sms');
    await adapter.verifyWebhook(sms);
    expect(adapter.parseWebhook(sms).inbound).toEqual([expect.objectContaining({ from: '+14155550199', to: ['+14155550100'], body: 'Running 10 min late', media: [] })]);
    const mms = fixture('inbound-mms');
    await adapter.verifyWebhook(mms);
    const [message] = adapter.parseWebhook(mms).inbound;
    expect(message!.media).toEqual([{ url: expect.stringMatching(/^https:\/\/example\.signalwire\.com\/api\/laml\/.+\/Media\//), contentType: 'image/jpeg' }]);
  });

  it('refuses a body signed with the API token instead of the Signing Key, and a tampered body', async () => {
    const wrongKey = createSignalwireProvider({ id: 'pa_2', tenantId: 't_1', type: 'signalwire', credentials: { ...credentials, signingKey: credentials.apiToken }, baseUrl: null, webhookUrl: 'x' }, deps);
    await expect(wrongKey.verifyWebhook(fixture('inbound-sms'))).rejects.toMatchObject({ reason: 'bad_signature' });
    const genuine = fixture('inbound-sms');
    await expect(adapter.verifyWebhook({ ...genuine, rawBody: Buffer.from(genuine.rawBody.toString().replace('late', 'early')) })).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects malformed and truncated bodies', () => {
    const mms = fixture('inbound-mms').rawBody.toString();
    for (const body of ['', 'garbage', mms.slice(0, mms.indexOf('&MediaUrl0')) + '&To=%2B1&From=%2B2', mms.replace('NumMedia=1', 'NumMedia=x')]) {
      expect(() => adapter.parseWebhook({ ...fixture('inbound-mms'), rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
    }
  });
});
