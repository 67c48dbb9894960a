/**
 * QuestBlue API v2 (SMS v2): JSON sends to `POST /smsv2` with Basic login:password plus the
 * `Security-Key` header, 10-digit numbers; the answer carries `data[0].msg_id`, and an error may
 * come as HTTP 206 with `{"error": …}`. Inbound messages are JSON with `to[]` (a group MMS stays
 * one message to several numbers) and no id; status callbacks carry no id either and are matched
 * to the latest unfinished send between the two numbers (StatusUpdate.match). QuestBlue signs
 * nothing, so the webhook URL carries the account's secret token (checked here and in ingest).
 */
import { createHash } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { basicAuth, callProvider, downloadMedia, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, StatusUpdate, WebhookRequest } from '../core/types.js';
import { lookup, readWebhookFields, requiredText, textField, type WebhookFields } from '../core/webhook-fields.js';
import { questblueManifest } from './questblue.manifest.js';
import { QUESTBLUE_STATUS, questblueErrorKind } from './questblue.status.js';
import type { QuestblueAnswer, QuestblueSendPayload } from './questblue.types.js';

const PROVIDER = questblueManifest.type;

/** `+1NXXNXXXXXX` → 10 digits; QuestBlue sends to US numbers only. */
function usDigits(e164: string, role: 'from' | 'to'): string {
  const match = /^\+1(\d{10})$/.exec(e164);
  if (!match) throw new ProviderError(PROVIDER, role === 'to' ? 'invalid_number' : 'rejected', `${PROVIDER} only texts US 10-digit numbers; ${role} "${e164}" is not one`);
  return match[1]!;
}

/** 10 digits → `+1…`, 11 → `+…`. */
function toE164(value: unknown, field: string): string {
  if (typeof value !== 'string' && typeof value !== 'number') throw new MalformedWebhookError(`${field} must be a phone number`);
  const digits = String(value).trim().replace(/^\+/, '');
  if (!/^\d{10,15}$/.test(digits)) throw new MalformedWebhookError(`${field} "${digits.slice(0, 20)}" is not a phone number`);
  return digits.length === 10 ? `+1${digits}` : `+${digits}`;
}

function list(fields: WebhookFields, key: string): unknown[] {
  const value = fields[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new MalformedWebhookError(`${key} must be a list`);
  return value;
}

export function createQuestblueProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { login, password, securityKey } = account.credentials as { login: string; password: string; securityKey: string };
  const authHeaders = { authorization: basicAuth(login, password), 'security-key': securityKey };
  const base = (account.baseUrl ?? questblueManifest.defaultBaseUrl).replace(/\/+$/, '');
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(PROVIDER, 'group messages (one "did_to" per message)');
    if (message.mediaUrls.length > 1) throw new UnsupportedCapabilityError(PROVIDER, 'more than one media file (one "file_url")');
    const payload: QuestblueSendPayload = { did: usDigits(message.from, 'from'), did_to: usDigits(message.to[0]!, 'to'), msg: message.body };
    if (message.mediaUrls[0]) payload.file_url = message.mediaUrls[0];
    const response = await callProvider(deps.fetch, PROVIDER, { method: 'POST', url: joinUrl(base, 'smsv2'), headers: { ...authHeaders, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(payload) });
    let answer: QuestblueAnswer | null = response.json;
    if (answer === null && response.text) {
      try {
        answer = JSON.parse(response.text) as QuestblueAnswer;
      } catch {
        answer = null;
      }
    }
    const error = typeof answer?.error === 'string' ? answer.error.slice(0, 300) : undefined;
    // 206 (and any 2xx) with `error` is a refusal, not an acceptance.
    if (response.status >= 200 && response.status < 300 && !error) {
      const entry = Array.isArray(answer?.data) ? answer.data[0] : undefined;
      const id = entry?.msg_id ?? entry?.msgId;
      if ((typeof id !== 'string' && typeof id !== 'number') || id === '') throw new ProviderError(PROVIDER, 'outcome_unknown', `${PROVIDER} answered ${response.status} without data[0].msg_id`, { httpStatus: response.status });
      return { providerMessageId: String(id), status: 'queued', raw: answer };
    }
    const kind = questblueErrorKind(error) ?? (response.status === 408 || response.status === 409 ? 'unavailable' : undefined);
    if (response.status >= 200 && response.status < 300) throw new ProviderError(PROVIDER, kind ?? 'rejected', `${PROVIDER} refused the message to ${payload.did_to}: ${error}`, { httpStatus: response.status });
    throw httpError(PROVIDER, response, { message: error, kind: response.status === 401 || response.status === 403 ? 'auth_failed' : kind });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the webhook URL has no token; copy the URL shown for this account into QuestBlue (SMS Settings → Post SMS to URL)');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the webhook URL token is wrong');
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = readWebhookFields(request, { json: 'always' });
    // Status callbacks carry `status`; inbound messages carry `text`/`media` and a `to` list.
    if (fields.status !== undefined) return { inbound: [], statuses: [parseStatus(fields)] };
    return { inbound: [parseInbound(fields)], statuses: [] };
  }

  function parseStatus(fields: WebhookFields): StatusUpdate {
    const providerStatus = requiredText(fields, 'status');
    const ourNumber = toE164(fields.from, 'from');
    const remoteNumber = toE164(fields.to, 'to');
    const status = lookup(QUESTBLUE_STATUS, providerStatus.toLowerCase());
    // No id of the send: the key only serialises receipts of one conversation (never a real msg_id).
    const update: StatusUpdate = { providerMessageId: `qb-receipt:${ourNumber}:${remoteNumber}`, status: status ?? 'sent', providerStatus, match: { ourNumber, remoteNumber } };
    if (!status) update.errorMessage = `unknown ${PROVIDER} status "${providerStatus.slice(0, 40)}"`;
    const reason = textField(fields, 'reason');
    if (reason && (status === 'undelivered' || status === 'failed')) {
      // QuestBlue gives a reason, not a code: the status word is the code, the text the reason.
      update.errorCode = providerStatus.slice(0, 40);
      update.errorMessage = reason.slice(0, 500);
      update.optedOut = questblueErrorKind(reason) === 'opted_out';
    }
    return update;
  }

  function parseInbound(fields: WebhookFields): InboundMessage {
    const from = toE164(fields.from, 'from');
    const to = list(fields, 'to').map((number, index) => toE164(number, `to[${index}]`));
    if (to.length === 0) throw new MalformedWebhookError('to is missing');
    const text = fields.text;
    if (text !== undefined && text !== null && typeof text !== 'string') throw new MalformedWebhookError('text must be a string');
    const media = list(fields, 'media').map((url) => {
      if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw new MalformedWebhookError('media[] must be URLs');
      return { url };
    });
    const body = (text as string | null | undefined) ?? '';
    if (!body && media.length === 0) throw new MalformedWebhookError('neither text nor media is set');
    // No id is sent: a repeat of the same message within the same minute is the same message.
    const minute = Math.floor(deps.clock().getTime() / 60_000);
    const key = createHash('sha256').update(JSON.stringify([from, to, body, media.map((m) => m.url), minute])).digest('hex').slice(0, 32);
    return { providerMessageId: `qb-${key}`, from, to, body, media: media.filter(({ url }) => !/\.smil(\?|$)/i.test(url)), raw: fields };
  }

  async function fetchMedia(url: string) {
    // Only QuestBlue's own hosts get the API credentials.
    const host = new URL(url).host;
    const isQuestblueHost = host === 'questblue.com' || host.endsWith('.questblue.com') || host === new URL(base).host;
    return downloadMedia(deps.fetch, PROVIDER, url, isQuestblueHost ? authHeaders : {});
  }

  return { manifest: questblueManifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'text/plain', body: 'OK' }) };
}

export const questblueProvider: ProviderModule = { manifest: questblueManifest, create: createQuestblueProvider };
