/**
 * Commio (formerly thinQ): SMS as JSON to `/account/{id}/product/origination/sms/send`, MMS as a
 * multipart post with one `media_url` to `…/mms/send`, Basic username:token, 10-digit numbers; the
 * answer's `guid` is the id delivery notifications carry. Inbound messages are form posts (JSON
 * also seen): `from`, `to`, `type`, `message`. Commio documents no webhook signature
 * (`X-Commio-Signature` appears only in FS PBX), so the URL carries the account's secret token
 * (checked here and in ingest).
 */
import { createHash } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { basicAuth, callProvider, downloadMedia, header, httpError, joinUrl } from '../core/http.js';
import { multipartForm } from '../core/multipart.js';
import type { AdapterDeps, InboundMedia, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, StatusUpdate, WebhookRequest } from '../core/types.js';
import { boundedTime, lookup, readWebhookFields, requiredText, textField, type WebhookFields } from '../core/webhook-fields.js';
import { commioManifest } from './commio.manifest.js';
import { COMMIO_STATUS, commioErrorKind } from './commio.status.js';
import type { CommioAnswer, CommioMmsFields, CommioSmsPayload } from './commio.types.js';

const PROVIDER = commioManifest.type;

/** `+1NXXNXXXXXX` → 10 digits, the form every integration sends. */
function nanpDigits(e164: string, role: 'from' | 'to'): string {
  const match = /^\+1(\d{10})$/.exec(e164);
  if (!match) throw new ProviderError(PROVIDER, role === 'to' ? 'invalid_number' : 'rejected', `${PROVIDER} texts US/Canadian numbers; ${role} "${e164}" is not one`);
  return match[1]!;
}

/** 10 digits → `+1…`, 11 → `+…` (Commio sends either). */
function toE164(value: string, field: string): string {
  const digits = value.trim().replace(/^\+/, '');
  if (!/^\d{10,15}$/.test(digits)) throw new MalformedWebhookError(`${field} "${digits.slice(0, 20)}" is not a phone number`);
  return digits.length === 10 ? `+1${digits}` : `+${digits}`;
}

/** The single-webhook MMS `attachments`: a list, a JSON-encoded list, or comma/newline separated. */
function attachmentList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') throw new MalformedWebhookError('attachments must be a list');
  if (value.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // reported below
    }
    throw new MalformedWebhookError('attachments is not a JSON list');
  }
  return value.split(/[\n,]+/).map((item) => item.trim()).filter(Boolean);
}

export function createCommioProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { accountId, username, apiToken } = account.credentials as { accountId: string; username: string; apiToken: string };
  const auth = basicAuth(username, apiToken);
  const base = (account.baseUrl ?? commioManifest.defaultBaseUrl).replace(/\/+$/, '');
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(PROVIDER, 'group messages (one "to_did" per message)');
    if (message.mediaUrls.length > 1) throw new UnsupportedCapabilityError(PROVIDER, 'more than one media file (one "media_url" per MMS)');
    const from_did = nanpDigits(message.from, 'from');
    const to_did = nanpDigits(message.to[0]!, 'to');
    const isMms = message.mediaUrls.length === 1;
    const path = `account/${encodeURIComponent(accountId)}/product/origination/${isMms ? 'mms' : 'sms'}/send`;
    let request: { contentType: string; body: string | Buffer };
    if (isMms) {
      const fields: CommioMmsFields = { from_did, to_did, media_url: message.mediaUrls[0]! };
      if (message.body) fields.message = message.body;
      request = multipartForm(fields as unknown as Record<string, string>);
    } else {
      request = { contentType: 'application/json', body: JSON.stringify({ from_did, to_did, message: message.body } satisfies CommioSmsPayload) };
    }
    const response = await callProvider(deps.fetch, PROVIDER, { method: 'POST', url: joinUrl(base, path), headers: { authorization: auth, 'content-type': request.contentType, accept: 'application/json' }, body: request.body });
    let answer: CommioAnswer | null = response.json;
    if (answer === null && response.text) {
      try {
        answer = JSON.parse(response.text) as CommioAnswer;
      } catch {
        answer = null;
      }
    }
    if (response.status >= 200 && response.status < 300) {
      const guid = answer?.guid;
      // Accepted but without the id receipts carry: sending again could deliver it twice.
      if ((typeof guid !== 'string' && typeof guid !== 'number') || guid === '') throw new ProviderError(PROVIDER, 'outcome_unknown', `${PROVIDER} answered ${response.status} without a guid`, { httpStatus: response.status });
      return { providerMessageId: String(guid), status: 'sent', raw: answer };
    }
    const text = typeof answer?.error === 'string' ? answer.error : typeof answer?.message === 'string' ? answer.message : undefined;
    throw httpError(PROVIDER, response, { message: text?.slice(0, 300), kind: response.status === 401 || response.status === 403 ? 'auth_failed' : commioErrorKind(text) });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the webhook URL has no token; copy the URL shown for this account into Commio');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the webhook URL token is wrong');
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = readWebhookFields(request);
    // Delivery notifications carry the send's `guid` and an SMPP-style `status`.
    if (fields.guid !== undefined && fields.status !== undefined) return { inbound: [], statuses: [parseReceipt(fields)] };
    return { inbound: [parseInbound(fields, header(request.headers, 'x-sms-guid'))], statuses: [] };
  }

  function parseReceipt(fields: WebhookFields): StatusUpdate {
    const guid = requiredText(fields, 'guid');
    const providerStatus = requiredText(fields, 'status');
    const status = lookup(COMMIO_STATUS, providerStatus.toUpperCase());
    const update: StatusUpdate = { providerMessageId: guid, status: status ?? 'sent', providerStatus, at: boundedTime(textField(fields, 'timestamp'), deps.clock()) };
    if (!status) update.errorMessage = `unknown ${PROVIDER} status "${providerStatus.slice(0, 40)}"`;
    const error = textField(fields, 'error');
    if (error && !/^0+$/.test(error) && (status === 'undelivered' || status === 'failed')) {
      update.errorCode = error.slice(0, 40);
      update.errorMessage = `${textField(fields, 'send_status') ?? providerStatus} (error ${error.slice(0, 40)})`;
    }
    return update;
  }

  function parseInbound(fields: WebhookFields, guidHeader: string | undefined): InboundMessage {
    const from = toE164(requiredText(fields, 'from'), 'from');
    const to = toE164(requiredText(fields, 'to'), 'to');
    const type = requiredText(fields, 'type').toLowerCase();
    if (type !== 'sms' && type !== 'mms') throw new MalformedWebhookError(`type "${type.slice(0, 20)}" is neither sms nor mms`);
    const message = textField(fields, 'message') ?? '';
    const media: InboundMedia[] = [];
    let body = message;
    if (type === 'mms') {
      const types = attachmentList(fields.contentType);
      attachmentList(fields.attachments).forEach((item, index) => {
        if (typeof item !== 'string') throw new MalformedWebhookError('attachments[] must be strings');
        const contentType = typeof types[index] === 'string' ? (types[index] as string) : undefined;
        // Base64 attachments stay in `raw`; only links are fetched.
        if (/^https?:\/\/\S+$/i.test(item) && !/\.smil(\?|$)/i.test(item) && contentType !== 'application/smil') media.push(contentType ? { url: item, contentType } : { url: item });
      });
      // Classic MMS: one webhook per part, a part that is a link is media.
      if (/^https?:\/\/\S+$/i.test(message.trim())) {
        media.push({ url: message.trim() });
        body = '';
      }
    }
    if (!body && media.length === 0) throw new MalformedWebhookError('neither message text nor media is set');
    // X-sms-guid (or an `id` field) when Commio sends one; otherwise the same message in the same minute is one message.
    const minute = Math.floor(deps.clock().getTime() / 60_000);
    const id = guidHeader || textField(fields, 'id') || `commio-${createHash('sha256').update(JSON.stringify([from, to, type, message, fields.attachments ?? null, minute])).digest('hex').slice(0, 32)}`;
    return { providerMessageId: id.slice(0, 100), from, to: [to], body, media, raw: fields };
  }

  async function fetchMedia(url: string) {
    // Only Commio's own hosts get the API token.
    const host = new URL(url).host;
    const isCommioHost = /(^|\.)(thinq|commio)\.com$/.test(host) || host === new URL(base).host;
    return downloadMedia(deps.fetch, PROVIDER, url, isCommioHost ? { authorization: auth } : {});
  }

  return { manifest: commioManifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'text/plain', body: '' }) };
}

export const commioProvider: ProviderModule = { manifest: commioManifest, create: createCommioProvider };
