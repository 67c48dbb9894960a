/**
 * A local test carrier with a plain HTTP API, for the generic HTTP provider: `POST /api/v1/sms`
 * (JSON or form) answered `{"status":"accepted","data":{"id":…}}`, delivery reports
 * (ENROUTE, DELIVRD) posted to the message's `callback_url`, and mobile-originated messages
 * posted to the account's webhook, as JSON or form, optionally signed with an HMAC-SHA256 of the
 * raw body in `X-Carrier-Signature` (hex).
 */
import { randomUUID } from 'node:crypto';
import { formPairs } from '../core/http.js';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';
import { hmacSignature } from './http.signature.js';

export interface HttpCarrierOptions {
  /** The Authorization header value the API requires (e.g. `Bearer …` or `Basic …`). */
  authorization: string;
  /** Signs webhooks with HMAC-SHA256 of the body when set. */
  webhookSecret?: string;
  /** How webhooks are posted. */
  webhookFormat?: 'json' | 'form';
  deliver?: Deliver;
  /** Delay between delivery reports; 0 sends none. */
  callbackDelayMs?: number;
}

export const CARRIER_SIGNATURE_HEADER = 'X-Carrier-Signature';

export async function startHttpCarrierEmulator(options: HttpCarrierOptions): Promise<ProviderEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  const format = options.webhookFormat ?? 'json';

  const post = (url: string, fields: Record<string, string | string[]>): SignedWebhook => {
    let body: string;
    let contentType: string;
    if (format === 'json') {
      body = JSON.stringify(fields);
      contentType = 'application/json';
    } else {
      const form = new URLSearchParams();
      for (const [key, value] of Object.entries(fields)) (Array.isArray(value) ? value : [value]).forEach((item) => form.append(key, item));
      body = form.toString();
      contentType = 'application/x-www-form-urlencoded';
    }
    const headers: Record<string, string> = { 'content-type': contentType };
    if (options.webhookSecret) headers[CARRIER_SIGNATURE_HEADER] = hmacSignature(options.webhookSecret, body);
    return { method: 'POST', url, headers, body };
  };

  const buildStatus = (input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string }) =>
    post(input.webhookUrl, { event: 'dlr', msg_id: input.providerMessageId, state: input.status, err: input.errorCode ?? '000', done_at: new Date().toISOString() });

  const server = await startEmulatorServer((request, response) => {
    if (request.headers.authorization !== options.authorization) return sendJson(response, 401, { status: 'error', error: { code: 'AUTH_FAILED', message: 'bad credentials' } });
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/api/v1/sms') return sendJson(response, 404, { status: 'error', error: { code: 'NOT_FOUND', message: 'no such endpoint' } });
    let fields: Record<string, unknown>;
    if (/json/.test(request.headers['content-type'] ?? '')) {
      try {
        fields = JSON.parse(request.text) as Record<string, unknown>;
      } catch {
        return sendJson(response, 400, { status: 'error', error: { code: 'BAD_JSON', message: 'invalid JSON' } });
      }
    } else {
      fields = {};
      for (const [key, value] of formPairs(request.body)) fields[key] = key === 'media' ? [...((fields[key] as string[] | undefined) ?? []), value] : value;
    }
    const recipient = String(fields.recipient ?? '');
    if (!/^\+?\d{7,15}$/.test(recipient)) return sendJson(response, 400, { status: 'error', error: { code: 'INVALID_NUMBER', message: `recipient "${recipient}" is not a number` } });
    if (typeof fields.text !== 'string' || !fields.sender) return sendJson(response, 400, { status: 'error', error: { code: 'MISSING_FIELD', message: 'sender and text are required' } });
    const id = `CR-${randomUUID()}`;
    sendJson(response, 200, { status: 'accepted', data: { id, parts: 1 } });
    const callback = typeof fields.callback_url === 'string' ? fields.callback_url : '';
    if (!callback || delay <= 0) return;
    ['ENROUTE', 'DELIVRD'].forEach((state, index) =>
      later(delay * (index + 1), () => {
        const webhook = buildStatus({ webhookUrl: callback, providerMessageId: id, status: state });
        return deliver(webhook.url, webhook);
      }),
    );
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    buildInbound(input) {
      const media = (input.media ?? []).map((item) => server.hostMedia(item));
      const fields: Record<string, string | string[]> = { event: 'mo', mo_id: input.id ?? `MO-${randomUUID()}`, msisdn: input.from.replace(/^\+/, ''), shortcode: input.to.replace(/^\+/, ''), text: input.body };
      if (format === 'json') return post(input.webhookUrl, { ...fields, ...(media.length ? { media: media.map((url) => ({ url })) } : {}) } as unknown as Record<string, string>);
      return post(input.webhookUrl, { ...fields, ...(media.length ? { media_url: media } : {}) });
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
