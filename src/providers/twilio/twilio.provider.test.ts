import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MalformedWebhookError } from '../core/errors.js';
import type { WebhookRequest } from '../core/types.js';
import { describeProviderContract } from '../testing/contract.js';
import { loadWebhookFixture, offlineDeps } from '../testing/fixtures.js';
import { startTwilioEmulator } from './twilio.emulator.js';
import { createTwilioProvider } from './twilio.provider.js';
import { isValidTwilioSignature, twilioSignature } from './twilio.signature.js';

const credentials = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'test-auth-token-0123456789' };

describeProviderContract({
  type: 'twilio',
  credentials,
  startEmulator: (deliver) => startTwilioEmulator({ ...credentials, deliver }),
  expectSendRequest(request, sent) {
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/2010-04-01/Accounts/${credentials.accountSid}/Messages.json`);
    expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.headers.authorization).toBe('Basic ' + Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64'));
    const form = new URLSearchParams(request.text);
    expect(form.get('To')).toBe(sent.to);
    expect(form.get('From')).toBe(sent.from);
    expect(form.get('Body')).toBe(sent.body);
    expect(form.getAll('MediaUrl')).toEqual(sent.mediaUrls);
    expect(form.get('StatusCallback')).toMatch(/^http:\/\/switchboard\.test\/webhook\/twilio\/sms\/pa_/);
  },
  errors: [
    { status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 }, expect: { code: '21211' } },
    { status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 }, expect: { code: '21610' } },
    { status: 401, body: { code: 20003, message: 'Authenticate', status: 401 }, expect: { code: '20003' } },
    { status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 }, expect: 'retry' },
    { status: 503, body: { message: 'Service Unavailable' }, expect: 'retry' },
  ],
  statuses: { accepted: 'queued', queued: 'queued', sending: 'sending', sent: 'sent', delivered: 'delivered', read: 'delivered', undelivered: 'undelivered', failed: 'failed', canceled: 'failed' },
});

describe('twilio signature', () => {
  it('matches the SDK test vector', () => {
    const params: Array<[string, string]> = [['CallSid', 'CA1234567890ABCDE'], ['Caller', '+12349013030'], ['Digits', '1234'], ['From', '+12349013030'], ['To', '+18005551212']];
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('accepts the URL with or without the default port', () => {
    const signature = twilioSignature('12345', 'https://example.com:443/webhook/twilio/sms', [['Body', 'hi']]);
    expect(isValidTwilioSignature('12345', 'https://example.com/webhook/twilio/sms', [['Body', 'hi']], signature)).toBe(true);
    expect(isValidTwilioSignature('54321', 'https://example.com/webhook/twilio/sms', [['Body', 'hi']], signature)).toBe(false);
    const withoutPort = twilioSignature('12345', 'https://example.com/webhook/twilio/sms', [['Body', 'hi']]);
    expect(isValidTwilioSignature('12345', 'https://example.com:443/webhook/twilio/sms', [['Body', 'hi']], withoutPort)).toBe(true);
  });

  it('signs repeated keys once per distinct value, values sorted, in any arrival order', () => {
    const url = 'https://example.com/webhook/twilio/sms';
    // Keys sorted (MediaUrl0 < MediaUrl1 < To); a repeated key's distinct values sorted; an exact repeat counted once.
    const expected = createHmac('sha1', 'tok').update(`${url}MediaUrl0https://a/1MediaUrl1https://a/2Toa+1Tob+2`).digest('base64');
    const pairs: Array<[string, string]> = [['To', 'b+2'], ['MediaUrl1', 'https://a/2'], ['To', 'a+1'], ['MediaUrl0', 'https://a/1'], ['To', 'b+2']];
    expect(twilioSignature('tok', url, pairs)).toBe(expected);
    expect(twilioSignature('tok', url, [...pairs].reverse())).toBe(expected);
    expect(pairs[0]).toEqual(['To', 'b+2']);
  });
});

const adapter = createTwilioProvider({ id: 'pa_01HX3QTWILIO', tenantId: 't_1', type: 'twilio', credentials, baseUrl: null, webhookUrl: 'https://pbx.example.com/webhook/twilio/sms/pa_01HX3QTWILIO' }, offlineDeps);
const fixture = (name: string): WebhookRequest => loadWebhookFixture(new URL('./__fixtures__/', import.meta.url), name);

describe('twilio recorded webhooks', () => {
  const receipts: Array<[string, Record<string, unknown>]> = [
    ['status-queued', { status: 'queued', providerStatus: 'queued' }],
    ['status-sending', { status: 'sending', providerStatus: 'sending' }],
    ['status-sent', { status: 'sent', providerStatus: 'sent' }],
    ['status-delivered', { status: 'delivered', providerStatus: 'delivered' }],
    ['status-read', { status: 'delivered', providerStatus: 'read' }],
    ['status-undelivered', { status: 'undelivered', providerStatus: 'undelivered', errorCode: '30003', errorMessage: 'Unreachable destination handset', optedOut: false }],
    ['status-failed', { status: 'failed', providerStatus: 'failed', errorCode: '30006', errorMessage: 'Landline or unreachable carrier', optedOut: false }],
    ['status-failed-opted-out', { status: 'failed', providerStatus: 'failed', errorCode: '21610', errorMessage: expect.stringMatching(/unsubscribed recipient/), optedOut: true }],
    ['status-canceled', { status: 'failed', providerStatus: 'canceled' }],
  ];
  for (const [name, expected] of receipts) {
    it(`verifies and maps ${name}`, async () => {
      const request = fixture(name);
      await adapter.verifyWebhook(request);
      const parsed = adapter.parseWebhook(request);
      expect(parsed.inbound).toEqual([]);
      expect(parsed.statuses).toEqual([{ providerMessageId: 'SM3f1e9a0c2b7d4e6f8a1b2c3d4e5f6a7b', ...expected }]);
    });
  }

  it('verifies and parses an inbound SMS', async () => {
    const request = fixture('inbound-sms');
    await adapter.verifyWebhook(request);
    expect(adapter.parseWebhook(request)).toEqual({
      inbound: [{ providerMessageId: 'SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d', from: '+14155550199', to: ['+14155550100'], body: 'Can we move to 3pm?', media: [] }],
      statuses: [],
    });
  });

  it('verifies and parses an inbound MMS with each media item and its type', async () => {
    const request = fixture('inbound-mms');
    await adapter.verifyWebhook(request);
    const [message] = adapter.parseWebhook(request).inbound;
    expect(message!.body).toBe('Photo of the damage');
    expect(message!.media).toEqual([
      { url: expect.stringMatching(/\/Media\/ME0a1b/), contentType: 'image/jpeg' },
      { url: expect.stringMatching(/\/Media\/ME9f8e/), contentType: 'image/png' },
    ]);
  });

  it('refuses a tampered body, another URL, a missing signature and another auth token', async () => {
    const genuine = fixture('status-delivered');
    await expect(adapter.verifyWebhook({ ...genuine, rawBody: Buffer.from(genuine.rawBody.toString().replace('delivered', 'failed')) })).rejects.toMatchObject({ reason: 'bad_signature' });
    await expect(adapter.verifyWebhook({ ...genuine, url: genuine.url.replace('pa_01HX3QTWILIO', 'pa_other') })).rejects.toMatchObject({ reason: 'bad_signature' });
    await expect(adapter.verifyWebhook({ ...genuine, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).rejects.toMatchObject({ reason: 'missing_signature' });
    const other = createTwilioProvider({ id: 'pa_2', tenantId: 't_1', type: 'twilio', credentials: { ...credentials, authToken: 'another-token' }, baseUrl: null, webhookUrl: 'x' }, offlineDeps);
    await expect(other.verifyWebhook(genuine)).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('rejects malformed and truncated bodies', () => {
    const form = fixture('inbound-mms').rawBody.toString();
    const cases = ['', form.slice(0, form.indexOf('MessageSid') - 1), 'MessageSid=SM1&NumMedia=2&From=%2B1&To=%2B2', 'MessageSid=SM1&NumMedia=-1&From=%2B1&To=%2B2', 'MessageSid=SM1&Body=hi', '{"MessageSid": "SM1"}'];
    for (const body of cases) expect(() => adapter.parseWebhook({ ...fixture('inbound-mms'), rawBody: Buffer.from(body) }), body).toThrow(MalformedWebhookError);
  });
});
