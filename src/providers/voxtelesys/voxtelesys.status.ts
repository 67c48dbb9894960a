import type { ProviderErrorKind } from '../core/errors.js';
import type { MessageStatus } from '../core/types.js';

/**
 * DLR `status` (lower-cased) → ours. Voxtelesys documents the field only as "the final message
 * status" (https://developer.voxtelesys.com/apis/message/webhooks/dlr); its Statuses page could
 * not be read, so this vocabulary is assumed from the batch/per-recipient design. An unknown word
 * keeps the message `sent` with the raw word stored.
 */
export const VOXTELESYS_STATUS: Readonly<Record<string, MessageStatus>> = {
  queued: 'queued',
  scheduled: 'queued',
  dispatched: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'undelivered',
  undeliverable: 'undelivered',
  expired: 'undelivered',
  failed: 'failed',
  rejected: 'failed',
  aborted: 'failed',
  cancelled: 'failed',
};

/** Error descriptions (send answers and DLR `error.description`) → kind; patterns are ours, not Voxtelesys's. */
const ERROR_PATTERNS: ReadonlyArray<[RegExp, ProviderErrorKind]> = [
  [/opt(ed)?[- ]?out|unsubscribed|stop(ped)? (list|keyword)|blacklist|blocked by (subscriber|recipient)/i, 'opted_out'],
  [/insufficient|balance|funds|credit/i, 'insufficient_funds'],
  [/invalid (destination|recipient|to|number|phone)|not a valid (phone|number)|unknown subscriber|landline/i, 'invalid_number'],
  [/unauthori[sz]ed|invalid (api key|token)|forbidden|authenticat/i, 'auth_failed'],
  [/rate limit|too many requests|throttl/i, 'rate_limited'],
];

export function voxtelesysErrorKind(text: string | undefined): ProviderErrorKind | undefined {
  if (!text) return undefined;
  return ERROR_PATTERNS.find(([pattern]) => pattern.test(text))?.[1];
}
