import type { ProviderErrorKind } from '../core/errors.js';
import type { MessageStatus } from '../core/types.js';

/**
 * MDR receipt `status` (lower-cased) → ours. Flowroute sends level 1 (to the carrier) and level 2
 * (handset) receipts; "message buffered" (code 1003, accepted by carrier) and "smsc submit" mean it
 * left Flowroute. https://developer.flowroute.com/api/messages/v2.2/ (delivery receipts) and the
 * "Delivery Receipt Response Codes" table; the failure words are those integrations report
 * (unconfirmed). Unknown words keep the message `sent`, raw word kept.
 */
export const FLOWROUTE_STATUS: Readonly<Record<string, MessageStatus>> = {
  queued: 'queued',
  'message buffered': 'sent',
  'smsc submit': 'sent',
  'smsc intermediate notifications': 'sent',
  sent: 'sent',
  delivered: 'delivered',
  'delivery success': 'delivered',
  undeliverable: 'undelivered',
  undelivered: 'undelivered',
  'delivery failure': 'undelivered',
  expired: 'undelivered',
  rejected: 'failed',
  'smsc reject': 'failed',
  failed: 'failed',
};

/**
 * Flowroute errors are `{errors: [{status, title, detail}]}` with free text; the text decides the
 * kind where the HTTP status alone does not (patterns are ours, not Flowroute's).
 */
export const FLOWROUTE_ERROR_PATTERNS: ReadonlyArray<[RegExp, ProviderErrorKind]> = [
  [/opt(ed)?[- ]?out|unsubscribed|stop list|blocked by (the )?recipient/i, 'opted_out'],
  [/insufficient|balance|funds|credit/i, 'insufficient_funds'],
  [/\b(invalid|unroutable|not a valid)\b.*\b(to|destination|recipient|number)\b|\bto\b.*\binvalid\b/i, 'invalid_number'],
  [/too many|rate limit|throttl/i, 'rate_limited'],
];

export function flowrouteErrorKind(text: string | undefined): ProviderErrorKind | undefined {
  if (!text) return undefined;
  return FLOWROUTE_ERROR_PATTERNS.find(([pattern]) => pattern.test(text))?.[1];
}
