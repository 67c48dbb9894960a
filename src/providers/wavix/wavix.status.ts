import type { ProviderErrorKind } from '../core/errors.js';
import type { MessageStatus } from '../core/types.js';

/**
 * Delivery report `status` → ours. Vocabulary of MessageDeliveryStatusUnion in Wavix's official
 * SDK (Wavix/wavix-node-sdk sms-and-mms.interface) and https://docs.wavix.com/messaging/delivery-reports.
 * `dlr_expired`: it left Wavix but no receipt came in time, so it stays `sent`.
 */
export const WAVIX_STATUS: Readonly<Record<string, MessageStatus>> = {
  accepted: 'queued',
  pending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'undelivered',
  expired: 'undelivered',
  rejected: 'failed',
  dlr_expired: 'sent',
};

/**
 * Wavix errors carry no machine code, only `message` text ("Missing or invalid parameter to",
 * "The service is not provisioned for your account."). The text decides the kind; unmatched
 * texts fall back to the HTTP status (kindForHttpStatus). Patterns are ours, not Wavix's.
 */
export const WAVIX_ERROR_PATTERNS: ReadonlyArray<[RegExp, ProviderErrorKind]> = [
  [/opt(ed)?[- ]?out|unsubscribed|blocked by recipient/i, 'opted_out'],
  [/insufficient|balance|funds|payment required/i, 'insufficient_funds'],
  [/invalid parameter to\b|invalid (destination|recipient|phone|number)|parameter to$/i, 'invalid_number'],
  [/not provisioned|unauthori[sz]ed|invalid api key|forbidden/i, 'auth_failed'],
  [/too many requests|rate limit/i, 'rate_limited'],
];

export function wavixErrorKind(message: string | undefined): ProviderErrorKind | undefined {
  if (!message) return undefined;
  return WAVIX_ERROR_PATTERNS.find(([pattern]) => pattern.test(message))?.[1];
}
