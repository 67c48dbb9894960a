/**
 * VoIP.ms REST/JSON API: one endpoint (`rest.php`), multipart form posts with `api_username` /
 * `api_password` and `method=sendSMS` or `sendMMS`; every answer is HTTP 200 with a `status` word.
 * Text over 160 characters goes as MMS, as VoIP.ms requires. Inbound messages come from the DID's
 * "SMS URL Callback": a GET whose query VoIP.ms fills from the placeholders in the registered URL
 * (manifest `webhookQuery`), or from the newer JSON webhook. There are no delivery receipts and no
 * signature: the URL carries the account's secret token (checked here and in ingest).
 */
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { callProvider, downloadMedia, httpError } from '../core/http.js';
import { multipartForm } from '../core/multipart.js';
import type { AdapterDeps, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, WebhookRequest } from '../core/types.js';
import { readWebhookFields, requiredText, textField, type WebhookFields } from '../core/webhook-fields.js';
import { voipmsManifest } from './voipms.manifest.js';
import { voipmsErrorKind } from './voipms.status.js';
import type { VoipmsAnswer, VoipmsJsonWebhook, VoipmsSendFields } from './voipms.types.js';

const PROVIDER = voipmsManifest.type;
/** sendSMS refuses longer text (`sms_toolong`); such text is sent with sendMMS. */
export const VOIPMS_SMS_MAX = 160;

/** `+1NXXNXXXXXX` → `NXXNXXXXXX`; VoIP.ms sends to and from US/Canadian 10-digit numbers only. */
function nanpDigits(e164: string, role: 'from' | 'to'): string {
  const match = /^\+1(\d{10})$/.exec(e164);
  if (!match) throw new ProviderError(PROVIDER, role === 'to' ? 'invalid_number' : 'rejected', `${PROVIDER} only texts US/Canadian 10-digit numbers; ${role} "${e164}" is not one`, { providerCode: role === 'to' ? 'invalid_dst' : 'invalid_did' });
  return match[1]!;
}

/** 10-digit NANP → `+1…`; 11 digits → `+…`; E.164 (a DID set to E.164 format) unchanged. */
function toE164(value: string, field: string): string {
  const digits = value.trim().replace(/^\+/, '');
  if (!/^\d{10,15}$/.test(digits)) throw new MalformedWebhookError(`${field} "${value.slice(0, 20)}" is not a phone number`);
  return digits.length === 10 ? `+1${digits}` : `+${digits}`;
}

function mediaUrls(items: unknown[], field: string): Array<{ url: string }> {
  return items
    .map((item) => (typeof item === 'string' ? item : (item as { url?: unknown })?.url))
    .filter((url) => url !== '' && url !== undefined)
    .map((url) => {
      if (typeof url !== 'string' || !/^https?:\/\/\S+$/i.test(url)) throw new MalformedWebhookError(`${field} must hold media URLs`);
      return { url };
    })
    .filter(({ url }) => !/\.smil(\?|$)/i.test(url));
}

export function createVoipmsProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { apiUsername, apiPassword } = account.credentials as { apiUsername: string; apiPassword: string };
  const endpoint = account.baseUrl ?? voipmsManifest.defaultBaseUrl;
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(PROVIDER, 'group messages (one "to" per message)');
    if (message.mediaUrls.length > voipmsManifest.capabilities.maxMediaCount) throw new UnsupportedCapabilityError(PROVIDER, `more than ${voipmsManifest.capabilities.maxMediaCount} media files`);
    const isMms = message.mediaUrls.length > 0 || [...message.body].length > VOIPMS_SMS_MAX;
    const fields: VoipmsSendFields = { api_username: apiUsername, api_password: apiPassword, method: isMms ? 'sendMMS' : 'sendSMS', did: nanpDigits(message.from, 'from'), dst: nanpDigits(message.to[0]!, 'to'), message: message.body };
    message.mediaUrls.forEach((url, index) => ((fields as unknown as Record<string, string>)[`media${index + 1}`] = url));
    const form = multipartForm(fields as unknown as Record<string, string>);
    const response = await callProvider(deps.fetch, PROVIDER, { method: 'POST', url: endpoint, headers: { accept: 'application/json', 'content-type': form.contentType }, body: form.body });
    if (response.status < 200 || response.status >= 300) throw httpError(PROVIDER, response, {});
    // VoIP.ms answers JSON without always saying so in Content-Type.
    let answer: VoipmsAnswer | null = null;
    try {
      answer = JSON.parse(response.text) as VoipmsAnswer;
    } catch {
      answer = null;
    }
    const status = typeof answer?.status === 'string' ? answer.status : undefined;
    if (status === 'success') {
      const id = answer?.[isMms ? 'mms' : 'sms'];
      // Accepted but unnumbered: sending again could deliver it twice.
      if ((typeof id !== 'number' && typeof id !== 'string') || id === '') throw new ProviderError(PROVIDER, 'outcome_unknown', `${PROVIDER} accepted the message without an ${isMms ? 'mms' : 'sms'} id`, { httpStatus: response.status });
      return { providerMessageId: String(id), status: 'sent', raw: answer };
    }
    if (!status) throw new ProviderError(PROVIDER, 'outcome_unknown', `${PROVIDER} answered ${response.status} without a status: ${response.text.slice(0, 200)}`, { httpStatus: response.status });
    const code = status.slice(0, 60);
    throw new ProviderError(PROVIDER, voipmsErrorKind(code), `${PROVIDER} refused ${fields.method} to ${fields.dst}: ${code}`, { providerCode: code, httpStatus: response.status });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the callback URL has no token; copy the URL shown for this account (placeholders included) into the DID\'s SMS URL Callback');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the callback URL token is wrong');
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = readWebhookFields(request);
    for (const value of Object.values(fields)) if (typeof value === 'string' && value.includes('\u0000')) throw new MalformedWebhookError('a field contains NUL characters');
    const inbound = fields.data !== undefined ? parseJsonWebhook(fields as VoipmsJsonWebhook) : parseUrlCallback(fields);
    return { inbound: inbound ? [inbound] : [], statuses: [] };
  }

  function parseUrlCallback(fields: WebhookFields): InboundMessage {
    const id = requiredText(fields, 'id');
    for (const key of ['id', 'to', 'from']) if (/^\{[A-Z]+\}$/.test(textField(fields, key) ?? '')) throw new MalformedWebhookError(`${key} is the unfilled placeholder ${textField(fields, key)}`);
    // Several media URLs: separator unconfirmed, so commas and white space both split.
    const media = mediaUrls((textField(fields, 'media') ?? '').split(/[\s,]+/), 'media');
    const body = textField(fields, 'message') ?? '';
    if (!body && media.length === 0) throw new MalformedWebhookError('neither message nor media is set');
    return { providerMessageId: id, from: toE164(requiredText(fields, 'from'), 'from'), to: [toE164(requiredText(fields, 'to'), 'to')], body, media, raw: fields };
  }

  /** Anything but `message.received` is acknowledged and ignored: VoIP.ms documents no other event. */
  function parseJsonWebhook(webhook: VoipmsJsonWebhook): InboundMessage | null {
    const data = webhook.data;
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new MalformedWebhookError('data must be an object');
    if (data.event_type !== 'message.received') return null;
    const payload = data.payload;
    if (!payload || typeof payload !== 'object') throw new MalformedWebhookError('data.payload is missing');
    const id = payload.id ?? data.id;
    if ((typeof id !== 'string' && typeof id !== 'number') || id === '') throw new MalformedWebhookError('data.payload.id is missing');
    const from = payload.from?.phone_number;
    const to = Array.isArray(payload.to) ? payload.to.map((item) => item?.phone_number) : [];
    if (typeof from !== 'string' || to.length === 0 || to.some((number) => typeof number !== 'string')) throw new MalformedWebhookError('data.payload.from and to[] phone numbers are required');
    if (payload.text !== undefined && payload.text !== null && typeof payload.text !== 'string') throw new MalformedWebhookError('data.payload.text must be a string');
    if (payload.media !== undefined && payload.media !== null && !Array.isArray(payload.media)) throw new MalformedWebhookError('data.payload.media must be a list');
    return { providerMessageId: String(id), from: toE164(from, 'from'), to: (to as string[]).map((number) => toE164(number, 'to')), body: payload.text ?? '', media: mediaUrls(payload.media ?? [], 'data.payload.media'), raw: webhook };
  }

  // VoIP.ms media links are public; they get no credentials.
  const fetchMedia = (url: string) => downloadMedia(deps.fetch, PROVIDER, url);

  return { manifest: voipmsManifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'text/plain', body: 'ok' }) };
}

export const voipmsProvider: ProviderModule = { manifest: voipmsManifest, create: createVoipmsProvider };
