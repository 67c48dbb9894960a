/**
 * ClickSend REST v3: JSON sends to /v3/sms/send and /v3/mms/send with Basic username:apiKey.
 * Inbound messages and delivery receipts arrive on the URLs set in the ClickSend account
 * (inbound rule, receipt URL) as form posts, JSON or GET. ClickSend signs nothing, so those URLs
 * carry the account's secret token, checked here and in services/ingest-webhook.ts.
 */
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { basicAuth, callProvider, downloadMedia, formPairs, header, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMedia, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, StatusUpdate, WebhookRequest } from '../core/types.js';
import { clicksendManifest } from './clicksend.manifest.js';
import { CLICKSEND_SEND_KIND, clicksendReceiptStatus } from './clicksend.status.js';

const provider = clicksendManifest.type;

/** The webhook's fields, whichever of ClickSend's three webhook types (post, json, get) sent it. */
function readFields(request: WebhookRequest): Record<string, unknown> {
  if (request.method === 'GET') return { ...request.query };
  if (/json/i.test(header(request.headers, 'content-type') ?? '')) {
    try {
      const parsed: unknown = JSON.parse(request.rawBody.toString('utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // reported below as malformed
    }
    throw new MalformedWebhookError('the JSON body is not an object');
  }
  return Object.fromEntries(formPairs(request.rawBody));
}

function text(fields: Record<string, unknown>, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function toE164Digits(value: string): string {
  return /^\d{7,15}$/.test(value) ? `+${value}` : value;
}

/** Inbound MMS layout is not documented; these are the field names integrations report. */
function inboundMedia(fields: Record<string, unknown>): InboundMedia[] {
  const urls: unknown[] = [fields.media_file, fields._media_file_url, ...[fields.media, fields.media_files].flatMap((list) => (Array.isArray(list) ? list : []))];
  return urls
    .map((item) => (typeof item === 'string' ? item : typeof (item as { url?: unknown })?.url === 'string' ? (item as { url: string }).url : ''))
    .filter((url) => /^https?:\/\//i.test(url) && !/\.smil(\?|$)/i.test(url))
    .map((url) => ({ url }));
}

export function createClicksendProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { username, apiKey, mmsSubject } = account.credentials as { username: string; apiKey: string; mmsSubject?: string };
  const auth = basicAuth(username, apiKey);
  // FS PBX's CLICKSEND_BASE_URL has no /v3; the SDK's basePath has it. Accept both.
  const base = (account.baseUrl ?? clicksendManifest.defaultBaseUrl).replace(/\/+$/, '').replace(/\/v3$/, '');
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');
  const subject = (mmsSubject || 'Message').slice(0, 20);

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(provider, 'group messages (one "to" per message)');
    const isMms = message.mediaUrls.length > 0;
    if (message.mediaUrls.length > 1) throw new UnsupportedCapabilityError(provider, 'more than one MMS attachment');
    // custom_string comes back in replies and receipts; ClickSend requires a body on MMS too.
    const item = { to: message.to[0]!, from: message.from, body: message.body || (isMms ? subject : ''), source: 'switchboard', custom_string: message.id };
    const payload = isMms ? { media_file: message.mediaUrls[0], messages: [{ ...item, subject }] } : { messages: [item] };
    const response = await callProvider(deps.fetch, provider, {
      method: 'POST',
      url: joinUrl(base, isMms ? 'v3/mms/send' : 'v3/sms/send'),
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
    });
    if (response.status < 200 || response.status >= 300) {
      throw httpError(provider, response, { providerCode: response.json?.response_code, message: response.json?.response_msg });
    }
    const result = response.json?.data?.messages?.[0];
    if (!result) throw new ProviderError(provider, 'unavailable', `${provider} answered ${response.status} without data.messages`, { httpStatus: response.status });
    if (result.status === 'SUCCESS' && result.message_id) return { providerMessageId: String(result.message_id), status: 'queued', raw: response.json };
    const code = String(result.status ?? 'UNKNOWN');
    throw new ProviderError(provider, CLICKSEND_SEND_KIND[code] ?? 'rejected', `${provider} refused the message to ${item.to}: ${code}`, { providerCode: code, httpStatus: response.status });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the webhook URL has no token; copy the URL shown for this account into ClickSend');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the webhook URL token is wrong');
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = readFields(request);
    const messageId = text(fields, 'message_id');
    if (!messageId) throw new MalformedWebhookError('message_id is missing');
    const providerStatus = text(fields, 'status');
    const statusCode = text(fields, 'status_code');
    if (providerStatus !== undefined || statusCode !== undefined) {
      const word = providerStatus ?? statusCode!;
      const status = clicksendReceiptStatus(word, statusCode);
      const update: StatusUpdate = { providerMessageId: messageId, status: status ?? 'sent', providerStatus: word };
      if (!status) update.errorMessage = `unknown ${provider} status "${word}" (code ${statusCode ?? 'none'})`;
      const errorCode = text(fields, 'error_code');
      if (errorCode && errorCode !== '0') {
        update.errorCode = errorCode;
        update.errorMessage = text(fields, 'error_text') || text(fields, 'status_text') || `${provider} error ${errorCode}`;
      }
      return { inbound: [], statuses: [update] };
    }
    return { inbound: [parseInbound(messageId, fields)], statuses: [] };
  }

  function parseInbound(messageId: string, fields: Record<string, unknown>): InboundMessage {
    const from = text(fields, 'from');
    const to = text(fields, 'to');
    const body = text(fields, 'body') ?? text(fields, 'message');
    if (!from || !to || body === undefined) throw new MalformedWebhookError('from, to and body are required');
    const timestamp = Number(text(fields, 'timestamp'));
    return {
      providerMessageId: messageId,
      from: toE164Digits(from),
      to: [toE164Digits(to)],
      body,
      media: inboundMedia(fields),
      receivedAt: Number.isFinite(timestamp) && timestamp > 0 ? new Date(timestamp * 1000).toISOString() : undefined,
      raw: fields,
    };
  }

  async function fetchMedia(url: string) {
    const host = new URL(url).host;
    const isClicksendHost = host.endsWith('.clicksend.com') || host === new URL(base).host;
    return downloadMedia(deps.fetch, provider, url, isClicksendHost ? { authorization: auth } : {});
  }

  return { manifest: clicksendManifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'text/plain', body: 'OK' }) };
}

export const clicksendProvider: ProviderModule = { manifest: clicksendManifest, create: createClicksendProvider };
