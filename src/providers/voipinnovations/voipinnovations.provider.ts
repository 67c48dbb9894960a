/**
 * VoIP Innovations Programmable Messaging (the Apidaze API, as FS PBX's "apidaze" provider uses it):
 * form posts to `POST {base}/{api_key}/sms/send?api_secret=…` with `from`, `to`, `body` as digits;
 * MMS adds `message_type=MMS` and `file_urls[]`. The answer's `details.uuid` is the provider id.
 * No receipts. Inbound is a JSON post (`type` incomingWebhookSMS/MMS) with no signature, so the
 * webhook URL carries the account's secret token. Low confidence: see README.md.
 */
import { randomUUID } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { callProvider, downloadMedia, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, FetchedMedia, InboundMedia, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, WebhookRequest } from '../core/types.js';
import { lookup, plusDigits, readWebhookFields, requiredText, textField, type WebhookFields } from '../core/webhook-fields.js';
import { voipinnovationsManifest } from './voipinnovations.manifest.js';
import { MEDIA_TYPE_BY_EXTENSION, VOIPINNOVATIONS_STATUS, voipinnovationsErrorKind } from './voipinnovations.status.js';
import type { VoipInnovationsSendAnswer } from './voipinnovations.types.js';

const PROVIDER = voipinnovationsManifest.type;
const digits = (value: string) => value.replace(/^\+(?=\d+$)/, '');
/** Inline MMS files are decoded from the webhook itself; bigger ones are refused. */
const MAX_INLINE_MEDIA_BYTES = 5 * 1024 * 1024;
/** Id fields integrations probe for; none is documented. */
const ID_FIELDS = ['reference_id', 'referenceId', 'message_uuid', 'uuid', 'id'];

export function createVoipinnovationsProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { apiKey, apiSecret } = account.credentials as { apiKey: string; apiSecret: string };
  const base = account.baseUrl ?? voipinnovationsManifest.defaultBaseUrl;
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(PROVIDER, 'group messages (one "to" per message)');
    const form = new URLSearchParams({ from: digits(message.from), to: digits(message.to[0]!) });
    if (message.mediaUrls.length > 0) {
      form.set('message_type', 'MMS');
      // FS PBX sends a single space when an MMS has no text.
      form.set('body', message.body || ' ');
      for (const url of message.mediaUrls) form.append('file_urls[]', url);
    } else {
      form.set('body', message.body);
    }
    const url = new URL(joinUrl(base, `${encodeURIComponent(apiKey)}/sms/send`));
    url.searchParams.set('api_secret', apiSecret);
    const response = await callProvider(deps.fetch, PROVIDER, {
      method: 'POST',
      url: url.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    });
    const answer = (response.json ?? {}) as VoipInnovationsSendAnswer;
    const text = answer.error ?? answer.message;
    if (response.status >= 200 && response.status < 300 && answer.ok !== false) {
      const uuid = answer.details?.uuid;
      if (typeof uuid !== 'string' || !uuid) throw new ProviderError(PROVIDER, 'unavailable', `${PROVIDER} answered ${response.status} without details.uuid`, { httpStatus: response.status });
      return { providerMessageId: uuid, status: VOIPINNOVATIONS_STATUS.true, raw: answer };
    }
    const kind = voipinnovationsErrorKind(text) ?? (response.status === 402 ? 'insufficient_funds' : undefined);
    // `ok: false` inside a 200 is a refusal, not a server fault.
    if (response.status < 300) throw new ProviderError(PROVIDER, kind ?? 'rejected', `${PROVIDER} refused the message: ${text ?? 'ok: false'}`, { httpStatus: response.status });
    throw httpError(PROVIDER, response, { message: text, kind });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the webhook URL has no token; copy the URL shown for this account into the SMS DID\'s "API POST" destination');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the webhook URL token is wrong');
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = readWebhookFields(request);
    const type = textField(fields, 'type');
    if (type !== undefined && type !== 'incomingWebhookSMS' && type !== 'incomingWebhookMMS') throw new MalformedWebhookError(`type "${type.slice(0, 40)}" is not an inbound message`);
    const from = textField(fields, 'caller_id_number') ?? requiredText(fields, 'from');
    const to = textField(fields, 'destination_number') ?? requiredText(fields, 'to');
    if (!from.trim() || !to.trim()) throw new MalformedWebhookError('caller_id_number and destination_number are required');
    const body = textField(fields, 'text') ?? textField(fields, 'body') ?? '';
    // FS PBX refuses a payload without a `text` key; an MMS may carry it empty.
    if (fields.text === undefined && fields.body === undefined) throw new MalformedWebhookError('text is missing');
    const id = ID_FIELDS.map((key) => textField(fields, key)).find((value) => value && value.trim());
    const message: InboundMessage = {
      // With no id in the payload a redelivery cannot be told from a repeated text; storing it twice beats dropping a real message.
      providerMessageId: id ?? `vi-${randomUUID()}`,
      from: plusDigits(from),
      to: [plusDigits(to)],
      body: body === ' ' ? '' : body,
      media: inboundMedia(fields),
      raw: { ...fields, files: fields.files === undefined ? undefined : '[files]' },
    };
    return { inbound: [message], statuses: [] };
  }

  async function fetchMedia(url: string): Promise<FetchedMedia> {
    if (url.startsWith('data:')) return decodeDataUrl(url);
    // Where VI hosts MMS files and whether they need credentials is unknown: no credentials are sent.
    return downloadMedia(deps.fetch, PROVIDER, url);
  }

  return { manifest: voipinnovationsManifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'application/json', body: '{"ok":true}' }) };
}

/** `files` is a list of URLs, or a string of `'name.jpg':'<base64>'` pairs (both seen by FS PBX). */
function inboundMedia(fields: WebhookFields): InboundMedia[] {
  const files = fields.files;
  if (files === undefined || files === null || files === '') return [];
  if (Array.isArray(files)) {
    return files.map((item) => {
      const url = typeof item === 'string' ? item : typeof (item as { url?: unknown })?.url === 'string' ? (item as { url: string }).url : '';
      if (!/^https?:\/\//i.test(url)) throw new MalformedWebhookError('files[] must be URLs');
      return { url };
    });
  }
  if (typeof files !== 'string') throw new MalformedWebhookError('files must be a list of URLs or a string of name:base64 pairs');
  const media: InboundMedia[] = [];
  let total = 0;
  for (const [, name, data] of files.matchAll(/'([^']{1,200})'\s*:\s*'([A-Za-z0-9+/=\s]*)'/g)) {
    const base64 = data!.replace(/\s+/g, '');
    total += Math.floor((base64.length * 3) / 4);
    if (total > MAX_INLINE_MEDIA_BYTES) throw new MalformedWebhookError(`inline files exceed ${MAX_INLINE_MEDIA_BYTES} bytes`);
    const contentType = lookup(MEDIA_TYPE_BY_EXTENSION, name!.split('.').pop()?.toLowerCase()) ?? 'application/octet-stream';
    media.push({ url: `data:${contentType};base64,${base64}`, contentType });
  }
  if (media.length === 0) throw new MalformedWebhookError('files holds no name:base64 pairs');
  return media;
}

function decodeDataUrl(url: string): FetchedMedia {
  const match = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/=]*)$/.exec(url);
  if (!match) throw new ProviderError(PROVIDER, 'rejected', `${PROVIDER} inline media is not a base64 data URL`);
  const data = Buffer.from(match[2]!, 'base64');
  if (data.length === 0 || data.length > MAX_INLINE_MEDIA_BYTES) throw new ProviderError(PROVIDER, 'rejected', `${PROVIDER} inline media has ${data.length} bytes`);
  return { contentType: match[1]!, data };
}

export const voipinnovationsProvider: ProviderModule = { manifest: voipinnovationsManifest, create: createVoipinnovationsProvider };
