/**
 * A local stand-in for Commio's (thinQ) messaging API: JSON SMS on
 * /account/{id}/product/origination/sms/send and multipart MMS (one `media_url`) on …/mms/send,
 * Basic username:token, answering `{"guid"}`; then a form-encoded delivery notification
 * (`guid`, `status=DELIVRD`, …) to the URL set in the portal. Inbound messages are form posts from
 * `User-Agent: thinq-sms` with `X-sms-guid`; an MMS with text uses the single-webhook shape
 * (`type=MMS`, `message`, `attachments`, `contentType`) that FS PBX reads. Nothing is signed; the
 * URL's token is the only proof.
 */
import { randomUUID } from 'node:crypto';
import { basicAuth } from '../core/http.js';
import { parseMultipartFields } from '../core/multipart.js';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';

export interface CommioEmulatorOptions {
  accountId: string;
  username: string;
  apiToken: string;
  deliver?: Deliver;
  /** Delay before the delivery notification; 0 sends none. */
  callbackDelayMs?: number;
}

const tenDigits = (value: string) => value.replace(/^\+1/, '');
const formPost = (url: string, fields: Record<string, string>, guid?: string): SignedWebhook => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'thinq-sms', ...(guid ? { 'x-sms-guid': guid } : {}) },
  body: new URLSearchParams(fields).toString(),
});

export async function startCommioEmulator(options: CommioEmulatorOptions): Promise<ProviderEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  let webhookUrl: string | null = null;

  const buildStatus = (input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string; from?: string; to?: string }) =>
    formPost(input.webhookUrl, {
      guid: input.providerMessageId,
      account_id: options.accountId,
      source_did: input.from ?? '5005550006',
      destination_did: input.to ?? '5551234567',
      timestamp: new Date().toISOString(),
      send_status: input.status === 'DELIVRD' ? 'delivered' : input.status.toLowerCase(),
      status: input.status,
      error: input.errorCode ?? '000',
    });

  const server = await startEmulatorServer((request, response) => {
    const match = /^\/account\/([^/]+)\/product\/origination\/(sms|mms)\/send$/.exec(request.url.split('?')[0]!);
    if (request.method !== 'POST' || !match) return sendJson(response, 404, { error: 'Not found' });
    if (request.headers.authorization !== basicAuth(options.username, options.apiToken)) return sendJson(response, 401, { error: 'Unauthorized' });
    if (decodeURIComponent(match[1]!) !== options.accountId) return sendJson(response, 403, { error: 'Account does not belong to this user' });
    let fields: Record<string, unknown>;
    try {
      fields = match[2] === 'sms' ? JSON.parse(request.text) : parseMultipartFields(String(request.headers['content-type'] ?? ''), request.text);
    } catch {
      return sendJson(response, 400, { error: 'Malformed request' });
    }
    if (typeof fields.from_did !== 'string' || !/^\d{10}$/.test(fields.from_did)) return sendJson(response, 400, { error: 'Invalid from_did' });
    if (typeof fields.to_did !== 'string' || !/^\d{10}$/.test(fields.to_did)) return sendJson(response, 400, { error: 'Invalid to_did' });
    if (match[2] === 'sms' && (typeof fields.message !== 'string' || !fields.message)) return sendJson(response, 400, { error: 'message is required' });
    if (match[2] === 'mms' && (typeof fields.media_url !== 'string' || !/^https?:\/\//.test(fields.media_url))) return sendJson(response, 400, { error: 'media_url is required' });
    const guid = randomUUID();
    sendJson(response, 200, { guid });
    const callback = webhookUrl;
    if (!callback || delay <= 0) return;
    later(delay, () => {
      const webhook = buildStatus({ webhookUrl: callback, providerMessageId: guid, status: 'DELIVRD', from: String(fields.from_did), to: String(fields.to_did) });
      return deliver(webhook.url, webhook);
    });
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    useWebhookUrl(url) {
      webhookUrl = url;
    },
    buildInbound(input: InboundInput) {
      const guid = input.id ?? randomUUID();
      const media = input.media ?? [];
      if (media.length === 0) return formPost(input.webhookUrl, { message: input.body, from: tenDigits(input.from), type: 'sms', to: tenDigits(input.to) }, guid);
      return formPost(
        input.webhookUrl,
        { message: input.body, from: tenDigits(input.from), type: 'MMS', to: tenDigits(input.to), attachments: JSON.stringify(media.map((item) => server.hostMedia(item))), contentType: JSON.stringify(media.map((item) => item.contentType)) },
        guid,
      );
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
