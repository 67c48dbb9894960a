import type { ProviderErrorKind } from '../core/errors.js';
import type { MessageStatus } from '../core/types.js';

/**
 * VoIP Innovations documents no delivery receipts, so the only status is the send answer's `ok`:
 * true → sent (final for us; the UI says the carrier gives no receipts), false → the send failed.
 * https://apidocs.apidaze.io/ (Apidaze, VI's Programmable API).
 */
export const VOIPINNOVATIONS_STATUS: Readonly<Record<'true' | 'false', MessageStatus>> = {
  true: 'sent',
  false: 'failed',
};

/** Error texts (`error`/`message` of a failed send) → kind. No error codes are published; these patterns are ours. */
const ERROR_PATTERNS: ReadonlyArray<[RegExp, ProviderErrorKind]> = [
  [/opt(ed)?[- ]?out|unsubscribed|blacklist|blocked/i, 'opted_out'],
  [/insufficient|balance|funds|credit/i, 'insufficient_funds'],
  [/invalid (destination|recipient|to|number|phone)|not a valid (phone|number)|\bto\b.*invalid/i, 'invalid_number'],
  [/api[_ ]?(key|secret)|unauthori[sz]ed|forbidden|not allowed from|ip address/i, 'auth_failed'],
  [/rate limit|too many requests|throttl/i, 'rate_limited'],
];

export function voipinnovationsErrorKind(text: string | undefined): ProviderErrorKind | undefined {
  if (!text) return undefined;
  return ERROR_PATTERNS.find(([pattern]) => pattern.test(text))?.[1];
}

/** File extension → content type, for inline base64 MMS files that arrive with a name only. */
export const MEDIA_TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  mp3: 'audio/mpeg',
  amr: 'audio/amr',
  vcf: 'text/vcard',
  txt: 'text/plain',
  pdf: 'application/pdf',
};
