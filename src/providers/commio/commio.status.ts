import type { ProviderErrorKind } from '../core/errors.js';
import type { MessageStatus } from '../core/types.js';

/**
 * Delivery notification `status` (SMPP-style stat, upper-cased) → ours, as documented by Commio's
 * API docs and used by RapidPro courier's ThinQ handler (https://apidocs.thinq.com/). `UNKNOWN`
 * says the carrier does not know: it stays `sent` rather than guessing. Unknown words keep `sent`
 * with the raw word.
 */
export const COMMIO_STATUS: Readonly<Record<string, MessageStatus>> = {
  ACCEPTD: 'sent',
  ENROUTE: 'sent',
  UNKNOWN: 'sent',
  DELIVRD: 'delivered',
  UNDELIV: 'undelivered',
  EXPIRED: 'undelivered',
  REJECTD: 'failed',
  DELETED: 'failed',
};

/**
 * Commio error bodies are free text (`{"error": …}` / `{"message": …}`); the text decides the kind
 * where the HTTP status alone does not (patterns are ours, not Commio's).
 */
export const COMMIO_ERROR_PATTERNS: ReadonlyArray<[RegExp, ProviderErrorKind]> = [
  [/opt(ed)?[- ]?out|unsubscribed|stop list/i, 'opted_out'],
  [/insufficient|balance|funds|credit/i, 'insufficient_funds'],
  [/invalid .*(to_did|destination|recipient|number)|to_did/i, 'invalid_number'],
  [/too many|rate limit|throttl/i, 'rate_limited'],
];

export function commioErrorKind(text: string | undefined): ProviderErrorKind | undefined {
  if (!text) return undefined;
  return COMMIO_ERROR_PATTERNS.find(([pattern]) => pattern.test(text))?.[1];
}
