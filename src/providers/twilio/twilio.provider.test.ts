import { describe, expect, it } from 'vitest';
import { describeProviderContract } from '../testing/contract.js';
import { startTwilioEmulator } from './twilio.emulator.js';
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
  });
});
