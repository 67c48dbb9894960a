/**
 * A local stand-in for Telnyx's Messaging API v2: accepts JSON sends with a Bearer key, answers
 * 200 `{data: message}`, then posts `message.sent` and `message.finalized` webhooks to the
 * message's webhook_url, signed with the emulator's own Ed25519 key (its public key goes in the
 * account's `publicKey`). Also builds signed `message.received` webhooks with hosted media.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';
import { telnyxSignature } from './telnyx.signature.js';

export interface TelnyxEmulatorOptions {
  apiKey: string;
  deliver?: Deliver;
  /** Delay between receipts; 0 sends no automatic receipts. */
  callbackDelayMs?: number;
}

export interface TelnyxEmulator extends ProviderEmulator {
  /** Base64 of the raw 32-byte Ed25519 public key, as Mission Control shows it. */
  publicKey: string;
  /** Signs a body as Telnyx would at the given Unix time (for stale-signature tests). */
  sign(url: string, body: string, timestampSeconds?: number): SignedWebhook;
  statusCallbacks: SignedWebhook[];
}

const E164 = /^\+[1-9]\d{6,14}$/;
const FINAL = new Set(['delivered', 'delivery_failed', 'sending_failed', 'expired', 'delivery_unconfirmed', 'read']);

export async function startTelnyxEmulator(options: TelnyxEmulatorOptions): Promise<TelnyxEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const rawPublicKey = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const statusCallbacks: SignedWebhook[] = [];
  const error = (code: string, title: string, detail: string, pointer?: string) => ({ errors: [{ code, title, detail, ...(pointer ? { source: { pointer } } : {}) }] });

  const sign = (url: string, body: string, timestampSeconds = Math.floor(Date.now() / 1000)): SignedWebhook => {
    const timestamp = String(timestampSeconds);
    return {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'Telnyx-Signature-Ed25519': telnyxSignature(privateKey as KeyObject, timestamp, body), 'Telnyx-Timestamp': timestamp },
      body,
    };
  };
  const envelope = (eventType: string, payload: Record<string, unknown>, url: string) =>
    JSON.stringify({
      data: { event_type: eventType, id: randomUUID(), occurred_at: new Date().toISOString(), payload, record_type: 'event' },
      meta: { attempt: 1, delivered_to: url },
    });

  const buildStatus = (input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string; from?: string; to?: string }) => {
    const payload = {
      id: input.providerMessageId,
      record_type: 'message',
      direction: 'outbound',
      type: 'SMS',
      from: { phone_number: input.from ?? '+15005550006', carrier: 'Telnyx', line_type: 'Wireless' },
      to: [{ phone_number: input.to ?? '+15551234567', status: input.status, carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' }],
      text: 'Hello',
      media: [],
      parts: 1,
      encoding: 'GSM-7',
      errors: input.errorCode ? [{ code: input.errorCode, title: 'Delivery failed', detail: 'The carrier could not deliver the message.' }] : [],
      sent_at: new Date().toISOString(),
      completed_at: FINAL.has(input.status) ? new Date().toISOString() : null,
      webhook_url: input.webhookUrl,
    };
    return sign(input.webhookUrl, envelope(FINAL.has(input.status) ? 'message.finalized' : 'message.sent', payload, input.webhookUrl));
  };

  const server = await startEmulatorServer((request, response) => {
    const path = request.url.replace(/^\/v2/, '').split('?')[0];
    if (request.method !== 'POST' || (path !== '/messages' && path !== '/messages/group_mms')) {
      return sendJson(response, 404, error('10005', 'Resource not found', 'The requested resource or URL could not be found.'));
    }
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(response, 401, error('10009', 'Authentication failed', 'The required authentication headers were either invalid or not included in the request.'));
    }
    if (!/^application\/json/.test(request.headers['content-type'] ?? '')) return sendJson(response, 415, error('10014', 'Unsupported Media Type', 'Use application/json.'));
    let body: { from?: string; to?: string | string[]; text?: string; media_urls?: string[]; webhook_url?: string };
    try {
      body = JSON.parse(request.text);
    } catch {
      return sendJson(response, 400, error('10015', 'Bad Request', 'The request failed because it was not well-formed.'));
    }
    const recipients = Array.isArray(body.to) ? body.to : [body.to];
    if (recipients.some((to) => typeof to !== 'string' || !E164.test(to))) return sendJson(response, 422, error('10016', 'Phone number must be in +E.164 format', 'The "to" parameter must be +E.164.', '/to'));
    if (!body.from) return sendJson(response, 422, error('10004', 'Missing required parameter', 'The "from" parameter is required.', '/from'));
    if (!body.text && !body.media_urls?.length) return sendJson(response, 422, error('10004', 'Missing required parameter', 'Provide text or media_urls.', '/text'));
    const id = randomUUID();
    const mms = Boolean(body.media_urls?.length) || recipients.length > 1;
    sendJson(response, 200, {
      data: {
        record_type: 'message',
        direction: 'outbound',
        id,
        type: mms ? 'MMS' : 'SMS',
        from: { phone_number: body.from, carrier: 'Telnyx', line_type: 'Wireless' },
        to: recipients.map((to) => ({ phone_number: to, status: 'queued', carrier: 'T-MOBILE USA, INC.', line_type: 'Wireless' })),
        text: body.text ?? '',
        media: (body.media_urls ?? []).map((url) => ({ url, content_type: null, sha256: null, size: null })),
        webhook_url: body.webhook_url ?? null,
        encoding: 'GSM-7',
        parts: 1,
        tags: [],
        cost: null,
        received_at: new Date().toISOString(),
        sent_at: null,
        completed_at: null,
        valid_until: new Date(Date.now() + 4 * 3600_000).toISOString(),
        errors: [],
      },
    });
    const callback = body.webhook_url;
    if (callback && delay > 0) {
      ['sent', 'delivered'].forEach((status, index) =>
        later(delay * (index + 1), async () => {
          const webhook = buildStatus({ webhookUrl: callback, providerMessageId: id, status, from: body.from, to: recipients[0] });
          statusCallbacks.push(webhook);
          return deliver(webhook.url, webhook);
        }),
      );
    }
  }, '/v2');

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    publicKey: Buffer.from(rawPublicKey).toString('base64'),
    statusCallbacks,
    failNext: server.failNext,
    sign,
    buildInbound(input: InboundInput) {
      const media = (input.media ?? []).map((item) => ({ url: server.hostMedia(item), content_type: item.contentType, size: item.data.length, hash_sha256: null }));
      const payload = {
        id: input.id ?? randomUUID(),
        record_type: 'message',
        direction: 'inbound',
        type: media.length > 0 ? 'MMS' : 'SMS',
        from: { phone_number: input.from, carrier: 'T-Mobile USA', line_type: 'Wireless' },
        to: [{ phone_number: input.to, status: 'webhook_delivered', carrier: 'Telnyx', line_type: 'Wireless' }],
        cc: [],
        text: input.body,
        subject: '',
        media,
        encoding: 'GSM-7',
        parts: 1,
        received_at: new Date().toISOString(),
        messaging_profile_id: '40017f8e-49bd-4f16-9e3d-ef103f916228',
        autoresponse_type: null,
        webhook_url: input.webhookUrl,
      };
      return sign(input.webhookUrl, envelope('message.received', payload, input.webhookUrl));
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
