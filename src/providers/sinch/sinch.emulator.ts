/**
 * A local stand-in for Sinch xms v1: accepts `POST /xms/v1/{plan}/batches` with the Bearer API
 * token, answers 201 with the batch, then posts per-recipient delivery reports (Dispatched →
 * Delivered) to callback_url, and builds mo_text / mo_media callbacks, all HMAC-signed.
 */
import { randomBytes } from 'node:crypto';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';
import { sinchSignature } from './sinch.signature.js';

export interface SinchEmulatorOptions {
  servicePlanId: string;
  apiToken: string;
  webhookSecret: string;
  deliver?: Deliver;
  /** Delay between receipts (real carriers space them by seconds); 0 sends none. */
  callbackDelayMs?: number;
}

export type SinchEmulator = ProviderEmulator & {
  /** `at` signs the callback as if sent then (stale-signature tests). */
  buildInbound(input: InboundInput, at?: Date): SignedWebhook;
  statusCallbacks: SignedWebhook[];
};

/** Sinch ids are 26-character ULID-like strings. */
const sinchId = () => ('01' + randomBytes(16).toString('hex').toUpperCase()).slice(0, 26);
const msisdn = (value: string) => value.replace(/^\+/, '');
const CODES: Record<string, number> = { Queued: 400, Dispatched: 401, Delivered: 0 };

export async function startSinchEmulator(options: SinchEmulatorOptions): Promise<SinchEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 40;
  const statusCallbacks: SignedWebhook[] = [];

  const sign = (url: string, event: Record<string, unknown>, at = new Date()): SignedWebhook => {
    const body = JSON.stringify(event);
    const nonce = sinchId();
    const timestamp = String(Math.floor(at.getTime() / 1000));
    return {
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        'x-sinch-webhook-signature': sinchSignature(options.webhookSecret, body, nonce, timestamp),
        'x-sinch-webhook-signature-nonce': nonce,
        'x-sinch-webhook-signature-timestamp': timestamp,
        'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
      },
      body,
    };
  };

  function buildStatus(input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string; recipient?: string; mms?: boolean }): SignedWebhook {
    const now = new Date().toISOString();
    return sign(input.webhookUrl, {
      type: input.mms ? 'recipient_delivery_report_mms' : 'recipient_delivery_report_sms',
      batch_id: input.providerMessageId,
      recipient: input.recipient ?? '15551234567',
      code: input.errorCode !== undefined ? Number(input.errorCode) : (CODES[input.status] ?? 0),
      status: input.status,
      at: now,
      operator_status_at: now,
      client_reference: 'msg_ref',
      applied_originator: '15005550006',
      number_of_message_parts: 1,
    });
  }

  const server = await startEmulatorServer((request, response) => {
    const match = /^\/xms\/v1\/([^/]+)\/batches$/.exec(request.url.split('?')[0]!);
    if (request.method !== 'POST' || !match) return sendJson(response, 404, { code: 'not_found', text: `${request.method} ${request.url} not found` });
    if (request.headers.authorization !== `Bearer ${options.apiToken}` || decodeURIComponent(match[1]!) !== options.servicePlanId) {
      return sendJson(response, 401, { code: 'unauthorized', text: 'Invalid credentials' });
    }
    if (!/application\/json/.test(request.headers['content-type'] ?? '')) return sendJson(response, 415, { code: 'unsupported_media_type', text: 'Content-Type must be application/json' });
    let batch: Record<string, any>;
    try {
      batch = JSON.parse(request.text);
    } catch {
      return sendJson(response, 400, { code: 'syntax_invalid_json', text: 'The JSON input is invalid' });
    }
    const to: unknown[] = Array.isArray(batch.to) ? batch.to : [];
    if (to.length === 0 || !to.every((n) => typeof n === 'string' && /^\+?[1-9]\d{6,14}$/.test(n))) {
      return sendJson(response, 400, { code: 'syntax_invalid_parameter_format', text: `Invalid recipient MSISDN in "to": ${JSON.stringify(batch.to)}` });
    }
    const mms = batch.type === 'mt_media';
    if (mms ? typeof batch.body?.url !== 'string' : batch.type !== 'mt_text' || typeof batch.body !== 'string' || !batch.body) {
      return sendJson(response, 400, { code: 'syntax_constraint_violation', text: 'body is required' });
    }
    const id = sinchId();
    const now = new Date().toISOString();
    sendJson(response, 201, { id, to: to.map((n) => msisdn(n as string)), from: batch.from, canceled: false, body: batch.body, type: batch.type, created_at: now, modified_at: now, delivery_report: batch.delivery_report ?? 'none', expire_at: new Date(Date.now() + 3 * 86_400_000).toISOString(), client_reference: batch.client_reference, flash_message: false });
    if (typeof batch.callback_url === 'string' && delay > 0 && batch.delivery_report === 'per_recipient') {
      ['Dispatched', 'Delivered'].forEach((status, index) =>
        later(delay * (index + 1), async () => {
          const webhook = buildStatus({ webhookUrl: batch.callback_url, providerMessageId: id, status, recipient: msisdn(to[0] as string), mms });
          statusCallbacks.push(webhook);
          return deliver(webhook.url, webhook);
        }),
      );
    }
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    statusCallbacks,
    failNext: server.failNext,
    buildInbound(input: InboundInput, at: Date = new Date()) {
      const common = { id: input.id ?? sinchId(), from: msisdn(input.from), to: msisdn(input.to), received_at: at.toISOString(), sent_at: at.toISOString(), operator_id: '310260' };
      if (!input.media?.length) return sign(input.webhookUrl, { type: 'mo_text', ...common, body: input.body }, at);
      const media = input.media.map((item) => ({ url: server.hostMedia(item), content_type: item.contentType, status: 'Uploaded', code: 0 }));
      return sign(input.webhookUrl, { type: 'mo_media', ...common, body: { subject: '', message: input.body, media } }, at);
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
