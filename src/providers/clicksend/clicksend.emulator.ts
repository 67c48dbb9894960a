/**
 * A local stand-in for ClickSend REST v3: accepts JSON sends (SMS and MMS) with Basic auth and
 * answers with ClickSend's envelope and per-message statuses. Like the real service it sends
 * delivery receipts (Sent → Delivered) to the account's receipt URL (set with useWebhookUrl, or
 * through POST /v3/sms/receipts as with the real API), not to a per-message URL. Receipts and inbound messages are form posts
 * with no signature (the URL's token is the only proof).
 */
import { randomUUID } from 'node:crypto';
import { basicAuth } from '../core/http.js';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';

export interface ClicksendEmulatorOptions {
  username: string;
  apiKey: string;
  deliver?: Deliver;
  /** Delay between receipts; 0 sends none. */
  callbackDelayMs?: number;
}

const RECEIPT_CODE: Record<string, string> = { Delivered: '201', Failed: '301', Cancelled: '301', CancelledAfterReview: '301', Expired: '301' };

const envelope = (httpCode: number, responseCode: string, message: string, data: unknown = []) => ({ http_code: httpCode, response_code: responseCode, response_msg: message, data });

function formPost(url: string, params: URLSearchParams): SignedWebhook {
  return { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params.toString() };
}

export async function startClicksendEmulator(options: ClicksendEmulatorOptions): Promise<ProviderEmulator & { receiptUrl: () => string | null }> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  const expectedAuth = basicAuth(options.username, options.apiKey);
  let receiptUrl: string | null = null;

  const buildStatus = (input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string; customString?: string }) => {
    const now = Math.floor(Date.now() / 1000);
    const params = new URLSearchParams({
      timestamp_send: String(now - 5), timestamp: String(now), message_id: input.providerMessageId, status: input.status,
      status_code: RECEIPT_CODE[input.status] ?? '200', status_text: input.status === 'Delivered' ? 'Success: Message received on handset.' : input.status,
      error_code: input.errorCode ?? '', error_text: input.errorCode ? 'Absent subscriber' : '', custom_string: input.customString ?? '',
      user_id: '1', subaccount_id: '1', message_type: 'sms',
    });
    return formPost(input.webhookUrl, params);
  };

  const server = await startEmulatorServer((request, response) => {
    if (request.headers.authorization !== expectedAuth) return sendJson(response, 401, envelope(401, 'UNAUTHORIZED', 'Invalid credentials.'));
    let body: Record<string, any>;
    try {
      body = JSON.parse(request.text) as Record<string, any>;
    } catch {
      return sendJson(response, 400, envelope(400, 'BAD_REQUEST', 'Invalid JSON.'));
    }
    if (request.method === 'POST' && request.url === '/v3/sms/receipts') {
      receiptUrl = typeof body.url === 'string' ? body.url : body.url?.url ?? null;
      return sendJson(response, 200, envelope(200, 'SUCCESS', 'Your receipt URL has been added.', { url: receiptUrl }));
    }
    const isMms = request.url === '/v3/mms/send';
    if (request.method !== 'POST' || (!isMms && request.url !== '/v3/sms/send')) return sendJson(response, 404, envelope(404, 'NOT_FOUND', 'Resource not found.'));
    if (!Array.isArray(body.messages) || (isMms && (!body.media_file || !body.messages.every((m: any) => m.subject)))) {
      return sendJson(response, 400, envelope(400, 'BAD_REQUEST', 'messages (and for MMS media_file and subject) are required.'));
    }
    const results = body.messages.map((message: any) => {
      const status = !/^\+[1-9]\d{6,14}$/.test(message.to ?? '') ? 'INVALID_RECIPIENT' : !message.body ? 'MISSING_REQUIRED_FIELDS' : 'SUCCESS';
      return {
        direction: 'out', date: Math.floor(Date.now() / 1000), to: message.to, body: message.body, from: message.from, schedule: '', message_id: randomUUID().toUpperCase(),
        message_parts: 1, message_price: '0.0700', custom_string: message.custom_string ?? '', country: 'US', carrier: 'Verizon', status,
        ...(isMms ? { subject: message.subject, _media_file_url: body.media_file } : {}),
      };
    });
    const queued = results.filter((r: any) => r.status === 'SUCCESS');
    sendJson(response, 200, envelope(200, 'SUCCESS', 'Messages queued for delivery.', { total_price: 0.07 * queued.length, total_count: results.length, queued_count: queued.length, messages: results, _currency: { currency_name_short: 'USD' } }));
    for (const result of queued) {
      if (!receiptUrl || delay <= 0) continue;
      const url = receiptUrl;
      ['Sent', 'Delivered'].forEach((status, index) =>
        later(delay * (index + 1), () => {
          const webhook = buildStatus({ webhookUrl: url, providerMessageId: result.message_id, status, customString: result.custom_string });
          return deliver(webhook.url, webhook);
        }),
      );
    }
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    receiptUrl: () => receiptUrl,
    useWebhookUrl(url) {
      receiptUrl = url;
    },
    buildInbound(input) {
      const id = input.id ?? randomUUID().toUpperCase();
      // Field order as ClickSend posts it (message_id last), legacy duplicates included.
      const params = new URLSearchParams({
        originalsenderid: input.to, body: input.body, message: input.body, sms: input.from, custom_string: '', to: input.to, original_message_id: '', originalmessageid: '',
        customstring: '', from: input.from, originalmessage: '', user_id: '1', subaccount_id: '1', original_body: '', timestamp: String(Math.floor(Date.now() / 1000)),
      });
      if (input.media?.[0]) params.set('media_file', server.hostMedia(input.media[0]));
      params.set('message_id', id);
      return formPost(input.webhookUrl, params);
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
