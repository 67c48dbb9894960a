import type { MessageStatus } from '../core/types.js';

/**
 * Plivo's message `Status` → ours. `failed` never reached a carrier; `undelivered` did and was
 * refused; `rejected` appears in older docs; `read` is WhatsApp. Inbound records say `received`.
 * https://www.plivo.com/docs/messaging/api/message#message-states
 */
export const PLIVO_STATUS: Readonly<Record<string, MessageStatus>> = {
  queued: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  rejected: 'failed',
  received: 'received',
};

/**
 * `ErrorCode` in status callbacks, kept as-is on the message with this reason beside it.
 * https://www.plivo.com/docs/messaging/troubleshooting/error-codes
 */
/** `ErrorCode` 200: the destination sent STOP to the source number (opted out). https://www.plivo.com/docs/messaging/troubleshooting/error-codes */
export const PLIVO_OPT_OUT_CODES: ReadonlySet<string> = new Set(['200']);

export const PLIVO_ERROR_REASON: Readonly<Record<string, string>> = {
  '10': 'invalid message',
  '20': 'network error (temporary)',
  '30': 'spam detected',
  '40': 'invalid source number',
  '50': 'invalid destination number',
  '60': 'loop detected',
  '70': 'destination permanently unavailable',
  '80': 'destination temporarily unavailable',
  '90': 'no route available',
  '100': 'prohibited by carrier',
  '110': 'message too long',
  '200': 'source number blocked by STOP from destination (opted out)',
  '201': 'US toll-free to Canada blocked',
  '300': 'failed to dispatch message',
  '420': 'message expired (queued over 3 hours)',
  '900': 'insufficient credit',
  '910': 'account disabled',
  '1000': 'unknown error',
};

/** `000` (and an empty value) means no error. */
export function plivoErrorCode(value: string | undefined): string | undefined {
  return value && !/^0+$/.test(value.trim()) ? value.trim() : undefined;
}
