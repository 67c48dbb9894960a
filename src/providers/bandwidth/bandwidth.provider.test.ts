import { describe, expect, it } from 'vitest';
import { MalformedWebhookError, WebhookAuthError } from '../core/errors.js';
import { basicAuth } from '../core/http.js';
import type { AdapterDeps, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { startBandwidthEmulator } from './bandwidth.emulator.js';
import { createBandwidthProvider } from './bandwidth.provider.js';
import { loadWebhookFixture } from '../testing/fixtures.js';

const credentials = {
  accountId: '9900000',
  apiToken: 'api-user',
  apiSecret: 'api-password-0123',
  applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
  callbackUsername: 'bw-callbacks',
  callbackPassword: 'callback-secret-123',
};

describeProviderContract({
  type: 'bandwidth',
  credentials,
  startEmulator: (deliver) => startBandwidthEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/api/v2/users/${credentials.accountId}/messages`);
    expect(request.headers.authorization).toBe(basicAuth(credentials.apiToken, credentials.apiSecret));
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(request.text);
    const expected: Record<string, unknown> = { applicationId: credentials.applicationId, to: [sent.to], from: sent.from, text: sent.body, tag: expect.stringMatching(/^msg_/) };
    if (sent.mediaUrls.length > 0) expected.media = sent.mediaUrls;
    expect(body).toEqual(expected);
  },
  // Basic auth covers the request, not the body: a forgery is a wrong password.
  forge: (webhook) => ({ ...webhook, headers: { ...webhook.headers, Authorization: basicAuth(credentials.callbackUsername, 'guessed-password') } }),
  errors: [
    {
      status: 400,
      body: { type: 'request-validation', description: 'Your request could not be accepted.', fieldErrors: [{ fieldName: 'to', description: "'+1555' must be replaced with a valid E164 formatted telephone number" }] },
      expect: { code: 'request-validation' },
    },
    { status: 401, body: { type: 'unauthorized', description: 'Authentication Failed' }, expect: { code: 'unauthorized' } },
    { status: 403, body: { type: 'forbidden', description: 'Access is denied' }, expect: { code: 'forbidden' } },
    {
      status: 429,
      body: { type: 'max-message-queue-size-exceeded', description: 'The SMS queue for your account is full and cannot accept more messages right now. Your allowed rate is 60 messages per minute.' },
      expect: 'retry',
    },
    { status: 500, body: { type: 'internal-server-error', description: 'Internal Server Error' }, expect: 'retry' },
  ],
  statuses: { 'message-sending': 'sending', 'message-sent': 'sent', 'message-delivered': 'delivered', 'message-read': 'delivered', 'message-failed': 'undelivered' },
});

const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

function adapter(options: { fetch?: typeof fetch; callbackPassword?: string; baseUrl?: string | null } = {}) {
  const deps: AdapterDeps = {
    fetch: options.fetch ?? (async () => { throw new Error('no network in unit tests'); }),
    clock: () => new Date(),
    readOwnMedia: async () => null,
    loopback: async () => undefined,
  };
  return createBandwidthProvider(
    {
      id: 'pa_1', tenantId: 't_1', type: 'bandwidth', baseUrl: options.baseUrl === undefined ? null : options.baseUrl, webhookUrl: 'https://pbx.example.com/webhook/bandwidth/sms',
      credentials: { ...credentials, callbackPassword: options.callbackPassword ?? credentials.callbackPassword },
    },
    deps,
  );
}

describe('bandwidth recorded webhooks', () => {
  const inbound = [
    { name: 'inbound-sms', expect: { providerMessageId: '14762070468292kw2fuqty55yp2b2', from: '+12345678901', to: ['+12345678902'], body: 'Hey, check this out!', media: [], receivedAt: '2024-03-14T18:20:16.000Z' } },
    { name: 'inbound-mms', expect: { body: 'A picture', media: [{ url: 'https://messaging.bandwidth.com/api/v2/users/9900000/media/14762070468292kw2fuqty55yp2b3/1/IMG_0042.jpg' }] } },
    // Our number (the copy's owner) comes first so the message lands on it; the others are the group.
    { name: 'inbound-group-mms', expect: { to: ['+12345678903', '+12345678902', '+12345678904'], body: 'Hello group', media: [{ url: expect.stringMatching(/\/0\/bw\.png$/) }] } },
  ];
  for (const row of inbound) {
    it(`verifies and parses ${row.name}`, async () => {
      const bandwidth = adapter();
      await bandwidth.verifyWebhook(fixture(row.name));
      const parsed = bandwidth.parseWebhook(fixture(row.name));
      expect(parsed.statuses).toEqual([]);
      expect(parsed.inbound).toHaveLength(1);
      expect(parsed.inbound[0]).toMatchObject(row.expect);
    });
  }

  const statuses = [
    { name: 'status-message-sending', updates: [{ status: 'sending', providerStatus: 'message-sending' }] },
    { name: 'status-message-sent', updates: [{ status: 'sent', providerStatus: 'message-sent' }] },
    { name: 'status-message-delivered', updates: [{ status: 'delivered', providerStatus: 'message-delivered' }] },
    { name: 'status-message-read', updates: [{ status: 'delivered', providerStatus: 'message-read' }] },
    { name: 'status-message-failed-carrier', updates: [{ status: 'undelivered', providerStatus: 'message-failed', errorCode: '4775', errorMessage: 'destination-rejected-opt-out', optedOut: true }] },
    { name: 'status-message-failed-bandwidth', updates: [{ status: 'failed', providerStatus: 'message-failed', errorCode: '4432', errorMessage: 'forbidden to country', optedOut: false }] },
    { name: 'status-message-failed-dlr-timeout', updates: [{ status: 'undelivered', providerStatus: 'message-failed', errorCode: '9902' }] },
    { name: 'status-bare-object', updates: [{ status: 'delivered', providerStatus: 'message-delivered' }] },
    { name: 'status-two-events', updates: [{ status: 'delivered' }, { status: 'undelivered', errorCode: '4720', errorMessage: 'rejected-unallocated-to-number' }] },
  ];
  for (const row of statuses) {
    it(`maps ${row.name}`, async () => {
      const bandwidth = adapter();
      await bandwidth.verifyWebhook(fixture(row.name));
      const parsed = bandwidth.parseWebhook(fixture(row.name));
      expect(parsed.inbound).toEqual([]);
      expect(parsed.statuses).toEqual(row.updates.map((update) => expect.objectContaining({ providerMessageId: '1589228074636lm4k2je7j7jklbn2', at: '2024-03-14T18:30:00.000Z', ...update })));
      parsed.statuses.forEach((update, index) => {
        if (!('errorCode' in row.updates[index]!)) expect(update.errorCode).toBeUndefined();
      });
    });
  }

  for (const name of ['malformed-truncated', 'malformed-not-json', 'malformed-empty-list', 'malformed-no-message-id', 'malformed-media-not-list', 'malformed-event-not-object']) {
    it(`refuses ${name} as malformed once its credentials hold`, async () => {
      const bandwidth = adapter();
      await bandwidth.verifyWebhook(fixture(name));
      expect(() => bandwidth.parseWebhook(fixture(name))).toThrow(MalformedWebhookError);
    });
  }

  it('ignores RBM-only event types', () => {
    const request = { ...fixture('inbound-sms'), rawBody: Buffer.from(JSON.stringify([{ type: 'suggestion-response', message: { id: 'r1' } }, { type: 'toString', message: { id: 'r2' } }])) };
    expect(adapter().parseWebhook(request)).toEqual({ inbound: [], statuses: [] });
  });
});

describe('bandwidth callback credentials', () => {
  const rejects = async (request: WebhookRequest, reason: string, options: Parameters<typeof adapter>[0] = {}) => {
    const error = await adapter(options).verifyWebhook(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookAuthError);
    expect((error as WebhookAuthError).reason).toBe(reason);
  };

  it('refuses a missing, a wrong and a differently-configured Authorization', async () => {
    const good = fixture('inbound-sms');
    await rejects({ ...good, headers: { ...good.headers, authorization: undefined } }, 'missing_signature');
    await rejects({ ...good, headers: { ...good.headers, authorization: basicAuth('bw-callbacks', 'nope') } }, 'bad_signature');
    await rejects({ ...good, headers: { ...good.headers, authorization: 'Bearer callback-secret-123' } }, 'bad_signature');
    await rejects(good, 'bad_signature', { callbackPassword: 'rotated-password' });
  });
});

describe('bandwidth send and media', () => {
  const capture = (answer: { status: number; body: unknown }) => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    return { calls, fetchImpl };
  };
  const message = { id: 'msg_1', from: '+12345678901', to: ['+12345678902'], body: 'Hi', mediaUrls: [], statusCallbackUrl: 'https://pbx.example.com/webhook/bandwidth/sms' };

  it('sends to the production endpoint by default and a group MMS as one request', async () => {
    const { calls, fetchImpl } = capture({ status: 202, body: { id: '1589228074636lm4k2je7j7jklbn2', to: ['+12345678902', '+12345678903'], direction: 'out' } });
    const result = await adapter({ fetch: fetchImpl }).send({ ...message, to: ['+12345678902', '+12345678903'], mediaUrls: ['https://cdn.example.com/a.png'] });
    expect(result.providerMessageId).toBe('1589228074636lm4k2je7j7jklbn2');
    expect(calls[0]!.url).toBe('https://messaging.bandwidth.com/api/v2/users/9900000/messages');
    expect(JSON.parse(calls[0]!.init.body as string)).toMatchObject({ to: ['+12345678902', '+12345678903'], media: ['https://cdn.example.com/a.png'] });
  });

  it.each([
    [400, { type: 'request-validation', description: 'Your request could not be accepted.', fieldErrors: [{ fieldName: 'to', description: 'must be E164' }] }, 'invalid_number', false, 'request-validation'],
    [400, { type: 'request-validation', description: 'Your request could not be accepted.', fieldErrors: [{ fieldName: 'text', description: 'too long' }] }, 'rejected', false, 'request-validation'],
    [401, { type: 'unauthorized', description: 'Authentication Failed' }, 'auth_failed', false, 'unauthorized'],
    [402, { type: 'payment-required', description: 'Insufficient funds' }, 'insufficient_funds', false, 'payment-required'],
    [415, { type: 'unsupported-content-type', description: 'Content-Type must be application/json' }, 'rejected', false, 'unsupported-content-type'],
    [429, { type: 'max-message-queue-size-exceeded', description: 'queue full' }, 'rate_limited', true, 'max-message-queue-size-exceeded'],
    [503, { type: 'service-unavailable', description: 'try later' }, 'unavailable', true, 'service-unavailable'],
  ] as const)('sorts a %i answer as its kind', async (status, body, kind, retryable, code) => {
    const { fetchImpl } = capture({ status, body });
    await expect(adapter({ fetch: fetchImpl }).send(message)).rejects.toMatchObject({ kind, retryable, code, details: { httpStatus: status } });
  });

  it('downloads Bandwidth media with the API credentials and sends them nowhere else', async () => {
    const seen: Array<{ url: string; headers: Record<string, string> }> = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      seen.push({ url, headers: (init.headers ?? {}) as Record<string, string> });
      return new Response(Buffer.from('png'), { status: 200, headers: { 'content-type': 'image/png' } });
    }) as unknown as typeof fetch;
    const bandwidth = adapter({ fetch: fetchImpl });
    await bandwidth.fetchMedia('https://messaging.bandwidth.com/api/v2/users/9900000/media/1476/0/bw.png');
    await bandwidth.fetchMedia('https://evil.example.com/api/v2/users/9900000/media/1476/0/bw.png');
    expect(seen[0]!.headers.authorization).toBe(basicAuth(credentials.apiToken, credentials.apiSecret));
    expect(seen[1]!.headers.authorization).toBeUndefined();
  });
});
