/**
 * A local stand-in for Twilio's Messages API: accepts form-encoded sends with Basic auth, answers
 * 201 with a Message resource, then posts StatusCallback receipts (sent → delivered) signed with
 * X-Twilio-Signature, and builds signed inbound webhooks with hosted media.
 */
import { randomBytes } from 'node:crypto';
import { basicAuth } from '../core/http.js';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';
import { twilioSignature } from './twilio.signature.js';

export interface TwilioEmulatorOptions {
  accountSid: string;
  authToken: string;
  deliver?: Deliver;
  /** Delay between receipts; 0 sends no automatic receipts. */
  callbackDelayMs?: number;
  /** Header carrying the signature (SignalWire uses X-SignalWire-Signature). */
  signatureHeader?: string;
  /** Path prefix of the API (SignalWire: /api/laml). */
  pathPrefix?: string;
  /** Key for webhook signatures when it is not the auth token (SignalWire's Signing Key). */
  signingKey?: string;
}

/** Faults a test can switch on: a slow answer after accepting, or a SID reused across messages. */
export interface TwilioEmulatorFaults {
  answerDelayMs: number;
  reuseSid: string | null;
}

export async function startTwilioEmulator(options: TwilioEmulatorOptions): Promise<ProviderEmulator & { statusCallbacks: SignedWebhook[]; faults: TwilioEmulatorFaults }> {
  const faults: TwilioEmulatorFaults = { answerDelayMs: 0, reuseSid: null };
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  const signatureHeader = options.signatureHeader ?? 'X-Twilio-Signature';
  const expectedAuth = basicAuth(options.accountSid, options.authToken);
  const statusCallbacks: SignedWebhook[] = [];

  const sign = (url: string, params: URLSearchParams): SignedWebhook => ({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', [signatureHeader]: twilioSignature(options.signingKey ?? options.authToken, url, [...params.entries()]) },
    body: params.toString(),
  });

  const buildStatus = (input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string; from?: string; to?: string }) => {
    const params = new URLSearchParams({ MessageSid: input.providerMessageId, SmsSid: input.providerMessageId, MessageStatus: input.status, SmsStatus: input.status, AccountSid: options.accountSid, ApiVersion: '2010-04-01' });
    if (input.from) params.set('From', input.from);
    if (input.to) params.set('To', input.to);
    if (input.errorCode) params.set('ErrorCode', input.errorCode);
    return sign(input.webhookUrl, params);
  };

  const server = await startEmulatorServer(async (request, response) => {
    const match = /^(?:\/[^/]+)*\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(request.url);
    if (request.method !== 'POST' || !match) return sendJson(response, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    if (request.headers.authorization !== expectedAuth || decodeURIComponent(match[1]!) !== options.accountSid) {
      return sendJson(response, 401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    }
    if (!/application\/x-www-form-urlencoded/.test(request.headers['content-type'] ?? '')) {
      return sendJson(response, 400, { code: 20001, message: 'Content-Type must be form-encoded', status: 400 });
    }
    const form = new URLSearchParams(request.text);
    const to = form.get('To');
    const from = form.get('From');
    if (!to || !/^\+[1-9]\d{6,14}$/.test(to)) {
      return sendJson(response, 400, { code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
    }
    if (!from) return sendJson(response, 400, { code: 21603, message: "A 'From' phone number is required.", status: 400 });
    if (!form.get('Body') && form.getAll('MediaUrl').length === 0) return sendJson(response, 400, { code: 21602, message: 'Message body is required.', status: 400 });
    const mms = form.getAll('MediaUrl').length > 0;
    const sid = faults.reuseSid ?? (mms ? 'MM' : 'SM') + randomBytes(16).toString('hex');
    // The message is accepted now; the answer may be late (a carrier under load).
    if (faults.answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.answerDelayMs));
    if (response.destroyed) return;
    sendJson(response, 201, {
      sid,
      account_sid: options.accountSid,
      to,
      from,
      body: form.get('Body') ?? '',
      status: 'queued',
      num_segments: '1',
      num_media: String(form.getAll('MediaUrl').length),
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: new Date().toUTCString(),
      error_code: null,
      error_message: null,
      uri: `/2010-04-01/Accounts/${options.accountSid}/Messages/${sid}.json`,
    });
    const callback = form.get('StatusCallback');
    if (callback && delay > 0) {
      ['sent', 'delivered'].forEach((status, index) =>
        later(delay * (index + 1), async () => {
          const webhook = buildStatus({ webhookUrl: callback, providerMessageId: sid, status, from, to });
          statusCallbacks.push(webhook);
          return deliver(webhook.url, webhook);
        }),
      );
    }
  }, options.pathPrefix ?? '');

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    statusCallbacks,
    faults,
    failNext: server.failNext,
    buildInbound(input) {
      const sid = input.id ?? ((input.media?.length ? 'MM' : 'SM') + randomBytes(16).toString('hex'));
      const params = new URLSearchParams({
        ToCountry: 'US', ToState: 'CA', SmsMessageSid: sid, NumMedia: String(input.media?.length ?? 0), ToCity: '', FromZip: '', SmsSid: sid, FromState: 'CA',
        SmsStatus: 'received', FromCity: '', Body: input.body, FromCountry: 'US', To: input.to, MessagingServiceSid: '', ToZip: '', NumSegments: '1',
        MessageSid: sid, AccountSid: options.accountSid, From: input.from, ApiVersion: '2010-04-01',
      });
      input.media?.forEach((item, index) => {
        params.set(`MediaContentType${index}`, item.contentType);
        params.set(`MediaUrl${index}`, server.hostMedia(item));
      });
      return sign(input.webhookUrl, params);
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
