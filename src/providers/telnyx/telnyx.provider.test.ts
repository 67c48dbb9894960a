import { describe, expect, it } from 'vitest';
import { MalformedWebhookError, WebhookAuthError } from '../core/errors.js';
import type { AdapterDeps, WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { startTelnyxEmulator, type TelnyxEmulator } from './telnyx.emulator.js';
import { createTelnyxProvider } from './telnyx.provider.js';
import { loadWebhookFixture } from '../testing/fixtures.js';

const credentials: Record<string, string> = { apiKey: 'KEY0123456789ABCDEF_test', publicKey: '' };
let emulator: TelnyxEmulator;

describeProviderContract({
  type: 'telnyx',
  credentials,
  async startEmulator(deliver) {
    emulator = await startTelnyxEmulator({ apiKey: credentials.apiKey!, deliver });
    credentials.publicKey = emulator.publicKey;
    return emulator;
  },
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v2/messages');
    expect(request.headers.authorization).toBe(`Bearer ${credentials.apiKey}`);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(request.text);
    const expected: Record<string, unknown> = { from: sent.from, to: sent.to, text: sent.body, webhook_url: expect.stringMatching(/^http:\/\/switchboard\.test\/webhook\/telnyx\/sms\/pa_/) };
    if (sent.mediaUrls.length > 0) expected.media_urls = sent.mediaUrls;
    expect(body).toEqual(expected);
  },
  stale: (_emulator, webhookUrl) => {
    const fresh = emulator.buildInbound({ webhookUrl, from: '+15551234567', to: '+15005550006', body: 'Stale hello' });
    return emulator.sign(fresh.url, fresh.body, Math.floor(Date.now() / 1000) - 301);
  },
  errors: [
    { status: 422, body: { errors: [{ code: '10016', title: 'Phone number must be in +E.164 format', detail: "The 'to' parameter must be in +E.164 format", source: { pointer: '/to' } }] }, expect: { code: '10016' } },
    { status: 401, body: { errors: [{ code: '10009', title: 'Authentication failed', detail: 'The required authentication headers were either invalid or not included in the request.' }] }, expect: { code: '10009' } },
    { status: 429, body: { errors: [{ code: '10011', title: 'Too many requests', detail: 'You have exceeded the maximum number of allowed requests.' }] }, expect: 'retry' },
    { status: 503, body: { errors: [{ code: '10007', title: 'Unexpected error', detail: 'An unexpected error occured.' }] }, expect: 'retry' },
    // Last: a carrier opt-out is remembered (F27), so later sends to the same recipient are refused up front.
    { status: 403, body: { errors: [{ code: '40300', title: 'Blocked due to STOP message', detail: 'The recipient replied STOP to this number.' }] }, expect: { code: '40300' } },
  ],
  statuses: {
    queued: 'queued',
    sending: 'sending',
    sent: 'sent',
    delivered: 'delivered',
    read: 'delivered',
    delivery_unconfirmed: 'sent',
    delivery_failed: 'undelivered',
    sending_failed: 'failed',
    expired: 'failed',
  },
});

// Recorded-shape webhooks, signed with the seed-0x07 key at 1700000000 (see providers/telnyx.md §4).
const FIXTURE_KEY = '6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=';
const FIXTURE_TIME = new Date(1_700_000_000_000);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

function adapter(options: { publicKey?: string; now?: Date; fetch?: typeof fetch; messagingProfileId?: string } = {}) {
  const deps: AdapterDeps = {
    fetch: options.fetch ?? (async () => { throw new Error('no network in unit tests'); }),
    clock: () => options.now ?? FIXTURE_TIME,
    readOwnMedia: async () => null,
    loopback: async () => undefined,
  };
  const creds: Record<string, string> = { apiKey: 'KEYtest', publicKey: options.publicKey ?? FIXTURE_KEY };
  if (options.messagingProfileId) creds.messagingProfileId = options.messagingProfileId;
  return createTelnyxProvider({ id: 'pa_1', tenantId: 't_1', type: 'telnyx', credentials: creds, baseUrl: 'http://telnyx.test/v2', webhookUrl: 'https://pbx.example.com/webhook/telnyx/sms' }, deps);
}

describe('telnyx recorded webhooks', () => {
  const inbound = [
    { name: 'inbound-sms', expect: { providerMessageId: 'ac012ab3-7bdf-4bd4-9bb4-8b4e6a91e7a2', from: '+13125550001', to: ['+18445550001'], body: 'Hello from my phone', media: [] } },
    { name: 'inbound-mms', expect: { from: '+13125550001', body: 'Look at this', media: [{ url: expect.stringMatching(/^https:\/\/media\.telnyx\.com\/.*0\.jpg/), contentType: 'image/jpeg' }] } },
    { name: 'inbound-group-mms', expect: { to: ['+18445550001', '+13125550002'], body: 'Group hello', media: [{ url: expect.stringContaining('0.png'), contentType: 'image/png' }] } },
  ];
  for (const row of inbound) {
    it(`verifies and parses ${row.name}`, async () => {
      const telnyx = adapter();
      await telnyx.verifyWebhook(fixture(row.name));
      const parsed = telnyx.parseWebhook(fixture(row.name));
      expect(parsed.statuses).toEqual([]);
      expect(parsed.inbound).toHaveLength(1);
      expect(parsed.inbound[0]).toMatchObject(row.expect);
    });
  }

  const statuses = [
    { name: 'status-queued', status: 'queued' },
    { name: 'status-sending', status: 'sending' },
    { name: 'status-sent', status: 'sent' },
    { name: 'status-delivered', status: 'delivered' },
    { name: 'status-read', status: 'delivered' },
    { name: 'status-delivery_unconfirmed', status: 'sent' },
    { name: 'status-delivery_failed', status: 'undelivered', errorCode: '40008', errorMessage: /Undeliverable/ },
    { name: 'status-sending_failed', status: 'failed', errorCode: '40300', errorMessage: /STOP/ },
    { name: 'status-expired', status: 'failed', errorCode: '40005', errorMessage: /expired/ },
  ];
  for (const row of statuses) {
    it(`maps ${row.name} to ${row.status}${row.errorCode ? ` with ${row.errorCode}` : ''}`, async () => {
      const telnyx = adapter();
      await telnyx.verifyWebhook(fixture(row.name));
      const [update, ...rest] = telnyx.parseWebhook(fixture(row.name)).statuses;
      expect(rest).toEqual([]);
      expect(update).toMatchObject({ providerMessageId: '40318bb0-36c5-4c8a-b25d-e1cc8e6a5c1d', status: row.status, providerStatus: row.name.slice('status-'.length) });
      expect(update!.errorCode).toBe(row.errorCode);
      if (row.errorMessage) expect(update!.errorMessage).toMatch(row.errorMessage);
    });
  }

  for (const name of ['malformed-truncated', 'malformed-not-json', 'malformed-no-payload-id', 'malformed-to-not-list', 'malformed-array-body']) {
    it(`refuses ${name} as malformed once its signature holds`, async () => {
      const telnyx = adapter();
      await telnyx.verifyWebhook(fixture(name));
      expect(() => telnyx.parseWebhook(fixture(name))).toThrow(MalformedWebhookError);
    });
  }

  it('ignores well-formed non-message events instead of failing them', () => {
    const request = { ...fixture('inbound-sms'), rawBody: Buffer.from(JSON.stringify({ data: { event_type: 'call.initiated', id: 'e', payload: { call_control_id: 'c' } } })) };
    expect(adapter().parseWebhook(request)).toEqual({ inbound: [], statuses: [] });
  });
});

describe('telnyx signature', () => {
  const rejects = async (request: WebhookRequest, reason: string, options: Parameters<typeof adapter>[0] = {}) => {
    const error = await adapter(options).verifyWebhook(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookAuthError);
    expect((error as WebhookAuthError).reason).toBe(reason);
  };

  it('matches the documented test vector', async () => {
    const body = '{"data":{"event_type":"message.received","id":"evt-1"}}';
    const request: WebhookRequest = {
      method: 'POST', url: 'https://x.test/', query: {}, rawBody: Buffer.from(body),
      headers: { 'telnyx-timestamp': '1700000000', 'telnyx-signature-ed25519': 'eCqvZ1Ygh8n9dshLRflnjG3oWvkH8jc6k0b6g1j6Xr/ePjyZ1HOlt5KY8DM0Z5zQQtiNwaHEWBlVmtUspaJLCg==' },
    };
    await expect(adapter().verifyWebhook(request)).resolves.toBeUndefined();
    await rejects({ ...request, rawBody: Buffer.from(body.replace('evt-1', 'evt-2')) }, 'bad_signature');
  });

  it('refuses a tampered body, a wrong key, a missing header and a malformed timestamp', async () => {
    const good = fixture('inbound-sms');
    await rejects({ ...good, rawBody: Buffer.from(good.rawBody.toString().replace('Hello', 'Hullo')) }, 'bad_signature');
    await rejects(good, 'bad_signature', { publicKey: Buffer.alloc(32, 9).toString('base64') });
    await rejects(good, 'bad_signature', { publicKey: 'not-a-key' });
    await rejects({ ...good, headers: { ...good.headers, 'telnyx-signature-ed25519': undefined } }, 'missing_signature');
    await rejects({ ...good, headers: { ...good.headers, 'telnyx-timestamp': undefined } }, 'missing_signature');
    await rejects({ ...good, headers: { ...good.headers, 'telnyx-timestamp': '17e8' } }, 'bad_signature');
    await rejects({ ...good, headers: { ...good.headers, 'telnyx-signature-ed25519': 'c2hvcnQ=' } }, 'bad_signature');
  });

  it('accepts 300 s of clock skew either way and refuses 301 s as stale', async () => {
    const good = fixture('inbound-sms');
    await expect(adapter({ now: new Date(FIXTURE_TIME.getTime() + 300_000) }).verifyWebhook(good)).resolves.toBeUndefined();
    await expect(adapter({ now: new Date(FIXTURE_TIME.getTime() - 300_000) }).verifyWebhook(good)).resolves.toBeUndefined();
    await rejects(good, 'stale_signature', { now: new Date(FIXTURE_TIME.getTime() + 301_000) });
    await rejects(good, 'stale_signature', { now: new Date(FIXTURE_TIME.getTime() - 301_000) });
  });
});

describe('telnyx send', () => {
  const capture = (answer: { status: number; body: unknown }) => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    return { calls, fetchImpl };
  };
  const message = { id: 'msg_1', from: '+18445550001', to: ['+13125550001'], body: 'Hi', mediaUrls: [], statusCallbackUrl: 'https://pbx.example.com/webhook/telnyx/sms' };

  it('sends a group MMS to /messages/group_mms with every recipient', async () => {
    const { calls, fetchImpl } = capture({ status: 200, body: { data: { id: 'grp-1', to: [{ phone_number: '+13125550001', status: 'queued' }] } } });
    const result = await adapter({ fetch: fetchImpl }).send({ ...message, to: ['+13125550001', '+13125550002'], mediaUrls: ['https://cdn.example.com/a.png'] });
    expect(result).toMatchObject({ providerMessageId: 'grp-1', status: 'queued' });
    expect(calls[0]!.url).toBe('http://telnyx.test/v2/messages/group_mms');
    expect(JSON.parse(calls[0]!.init.body as string)).toMatchObject({ to: ['+13125550001', '+13125550002'], media_urls: ['https://cdn.example.com/a.png'] });
  });

  it('sends an alphanumeric sender with the messaging profile, and refuses it without one', async () => {
    const { calls, fetchImpl } = capture({ status: 200, body: { data: { id: 'alpha-1' } } });
    await adapter({ fetch: fetchImpl, messagingProfileId: 'prof-1' }).send({ ...message, from: 'ACME' });
    expect(JSON.parse(calls[0]!.init.body as string)).toMatchObject({ from: 'ACME', messaging_profile_id: 'prof-1' });
    await expect(adapter({ fetch: fetchImpl }).send({ ...message, from: 'ACME' })).rejects.toMatchObject({ kind: 'rejected', retryable: false });
    expect(calls).toHaveLength(1);
  });

  it.each([
    [400, '40300', 'opted_out', false],
    [403, '40300', 'opted_out', false],
    [400, '40310', 'invalid_number', false],
    [402, '10038', 'insufficient_funds', false],
    [422, '40302', 'rejected', false],
    [400, '40318', 'rate_limited', true],
    [401, '10009', 'auth_failed', false],
    [500, '10007', 'unavailable', true],
  ] as const)('sorts a %i answer with code %s as %s', async (status, code, kind, retryable) => {
    const { fetchImpl } = capture({ status, body: { errors: [{ code, title: 'Some title', detail: 'Some detail' }] } });
    await expect(adapter({ fetch: fetchImpl }).send(message)).rejects.toMatchObject({ kind, retryable, code, details: { httpStatus: status } });
  });

  it('downloads inbound media without sending the API key to the pre-signed URL', async () => {
    let seen: RequestInit | undefined;
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      seen = init;
      return new Response(Buffer.from('jpeg'), { status: 200, headers: { 'content-type': 'image/jpeg' } });
    }) as unknown as typeof fetch;
    const media = await adapter({ fetch: fetchImpl }).fetchMedia('https://media.telnyx.com/x.jpg?X-Amz-Signature=abc');
    expect(media).toEqual({ contentType: 'image/jpeg', data: Buffer.from('jpeg') });
    expect(JSON.stringify(seen?.headers ?? {})).not.toContain('KEYtest');
  });
});
