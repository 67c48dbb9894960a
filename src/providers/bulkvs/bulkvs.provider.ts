/**
 * BulkVS REST v1.0: JSON sends to {base}/messageSend with Basic auth (API username : token, or the
 * portal's ready-made header), 11-digit numbers. Inbound messages and delivery receipts share one
 * JSON webhook; receipts carry SMPP receipt text and no id of the send, so they are matched by
 * numbers (StatusUpdate.match). BulkVS signs nothing: the webhook URL carries the account's token.
 * Every wire fact here is unconfirmed from BulkVS itself (README.md).
 */
import { createHash } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';
import { CredentialsError } from '../core/credentials.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError, type ProviderErrorKind } from '../core/errors.js';
import { basicAuth, callProvider, downloadMedia, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMedia, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, StatusUpdate, WebhookRequest } from '../core/types.js';
import { bulkvsManifest } from './bulkvs.manifest.js';
import { BULKVS_STAT, BULKVS_STAT_REASON, SMPP_RECEIPT } from './bulkvs.status.js';
import type { BulkvsSendAnswer, BulkvsSendPayload, BulkvsWebhook } from './bulkvs.types.js';
import { fromCarrierDigits, toNanpDigits } from '../core/nanp.js';

const provider = bulkvsManifest.type;

const wireNumber = (e164: string, field: string) => toNanpDigits(provider, e164, field);
const fromWire = fromCarrierDigits;

/** `Message` is form-encoded inside the JSON; decoded only when it looks encoded, so a literal "+" survives. */
export function decodeBulkvsText(text: string): string {
  if (/ /.test(text) || !/\+|%[0-9A-Fa-f]{2}/.test(text)) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

const MEDIA_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', '3gp': 'video/3gpp', mp4: 'video/mp4', txt: 'text/plain' };
const extension = (url: string) => new URL(url).pathname.split('.').pop()?.toLowerCase() ?? '';

/** Send answers that fail inside an HTTP 200: `Results[].Status` values are undocumented, so sorted by wording. */
function sendFailureKind(status: string): ProviderErrorKind {
  if (/invalid|not.?valid|unallocated/i.test(status)) return 'invalid_number';
  if (/fund|balance|credit/i.test(status)) return 'insufficient_funds';
  if (/opt.?out|stop|unsubscrib/i.test(status)) return 'opted_out';
  return 'rejected';
}

function validateBulkvsCredentials(credentials: Record<string, string>): void {
  if (credentials.basicAuthHeader) return;
  if (!credentials.apiUsername || !credentials.apiToken) {
    throw new CredentialsError('credentials.apiUsername and credentials.apiToken (or credentials.basicAuthHeader) are required for bulkvs');
  }
}

export function createBulkvsProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { apiUsername, apiToken, basicAuthHeader } = account.credentials;
  const authorization = basicAuthHeader ? (/^Basic /i.test(basicAuthHeader) ? basicAuthHeader : `Basic ${basicAuthHeader}`) : basicAuth(apiUsername ?? '', apiToken ?? '');
  const base = account.baseUrl ?? bulkvsManifest.defaultBaseUrl;
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(provider, 'group messages (one "to" per message)');
    const to = wireNumber(message.to[0]!, 'to');
    const payload: BulkvsSendPayload = { From: wireNumber(message.from, 'from'), To: [to], Message: message.body };
    if (message.mediaUrls.length > 0) payload.MediaURLs = message.mediaUrls;
    const response = await callProvider(deps.fetch, provider, {
      method: 'POST',
      url: joinUrl(base, 'messageSend'),
      headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
    });
    const answer = (response.json ?? null) as BulkvsSendAnswer | null;
    if (response.status < 200 || response.status >= 300) {
      const code = answer?.Code ?? answer?.Results?.[0]?.Status;
      throw httpError(provider, response, { providerCode: code === undefined ? undefined : String(code), message: answer?.Description ?? answer?.Message ?? answer?.error });
    }
    const result = answer?.Results?.[0];
    // Accepted or not cannot be told: never sent again automatically.
    if (!result) throw new ProviderError(provider, 'outcome_unknown', `${provider} answered ${response.status} without Results: ${response.text.slice(0, 200)}`, { httpStatus: response.status });
    const status = String(result.Status ?? '');
    if (status.toUpperCase() === 'SUCCESS') return { providerMessageId: answer?.RefId || message.id, status: 'sent', raw: answer };
    throw new ProviderError(provider, sendFailureKind(status), `${provider} refused the message to ${message.to[0]}: ${status || 'no status'}`, { providerCode: status || 'UNKNOWN', httpStatus: response.status });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the webhook URL has no token; copy the URL shown for this account into the BulkVS message webhook');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the webhook URL token is wrong');
  }

  function readWebhook(request: WebhookRequest): BulkvsWebhook {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new MalformedWebhookError('the body is not JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new MalformedWebhookError('the JSON body is not an object');
    return parsed as BulkvsWebhook;
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const hook = readWebhook(request);
    const to = Array.isArray(hook.To) ? hook.To.filter((n): n is string => typeof n === 'string' && n.trim() !== '') : [];
    if (typeof hook.From !== 'string' || !hook.From.trim() || to.length === 0) throw new MalformedWebhookError('From (a number) and To (a list of numbers) are required');
    if (hook.Message !== undefined && hook.Message !== null && typeof hook.Message !== 'string') throw new MalformedWebhookError('Message must be a string');
    const rawText = typeof hook.Message === 'string' ? hook.Message : '';
    const text = decodeBulkvsText(rawText);
    const refId = typeof hook.RefId === 'string' && hook.RefId ? hook.RefId : undefined;
    const receipt = SMPP_RECEIPT.exec(text);
    if (hook.DeliveryReceipt === true || hook.DeliveryReceipt === 'true' || receipt) {
      if (!receipt) throw new MalformedWebhookError('a DeliveryReceipt whose Message is not an SMPP receipt');
      return { inbound: [], statuses: [receiptUpdate(receipt, refId, fromWire(to[0]!), fromWire(hook.From))] };
    }
    const urls = Array.isArray(hook.MediaURLs) ? hook.MediaURLs.filter((u): u is string => typeof u === 'string' && /^https?:\/\/\S+$/i.test(u)) : [];
    // MMS parts: a .smil layout (skipped), pictures, and a .txt with the text (kept only when Message is empty).
    const media: InboundMedia[] = urls
      .filter((url) => extension(url) !== 'smil' && !(extension(url) === 'txt' && text !== ''))
      .map((url) => ({ url, ...(MEDIA_TYPES[extension(url)] ? { contentType: MEDIA_TYPES[extension(url)] } : {}) }));
    if (text === '' && media.length === 0) throw new MalformedWebhookError('neither Message nor MediaURLs');
    // No id on inbound messages: a carrier retry is recognised by its content within the same minute.
    const minute = Math.floor(deps.clock().getTime() / 60_000);
    const id = refId ?? `sha256:${createHash('sha256').update(JSON.stringify([hook.From, to, rawText, urls, minute])).digest('hex').slice(0, 40)}`;
    return { inbound: [{ providerMessageId: id, from: fromWire(hook.From), to: to.map(fromWire), body: text, media, raw: hook }], statuses: [] };
  }

  function receiptUpdate(receipt: RegExpExecArray, refId: string | undefined, ourNumber: string, remoteNumber: string): StatusUpdate {
    const [, smppId, , statWord, err] = receipt;
    const stat = statWord!.toUpperCase();
    const update: StatusUpdate = { providerMessageId: refId ?? smppId!, status: BULKVS_STAT[stat] ?? 'sent', providerStatus: stat, match: { ourNumber, remoteNumber } };
    if (!/^0+$/.test(err!)) {
      update.errorCode = err!;
      update.errorMessage = `${BULKVS_STAT_REASON[stat] ?? `receipt status ${stat}`} (SMPP error ${err})`;
    }
    return update;
  }

  return {
    manifest: bulkvsManifest,
    send,
    verifyWebhook,
    parseWebhook,
    // Media URLs are plain public links (no integration sends credentials for them).
    fetchMedia: (url) => downloadMedia(deps.fetch, provider, url),
    webhookReply: () => ({ contentType: 'text/plain', body: 'OK' }),
  };
}

export const bulkvsProvider: ProviderModule = { manifest: bulkvsManifest, create: createBulkvsProvider, validate: validateBulkvsCredentials };
