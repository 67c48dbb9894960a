import type { ProviderErrorKind } from '../core/errors.js';
import type { MessageStatus } from '../core/types.js';

/** SMS API delivery receipt `status` → ours. https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts */
export const VONAGE_DLR_STATUS: Readonly<Record<string, MessageStatus>> = {
  accepted: 'sent',
  buffered: 'sent',
  delivered: 'delivered',
  expired: 'undelivered',
  failed: 'undelivered',
  rejected: 'failed',
  // Vonage knows nothing more yet; keep the message where it is rather than guess.
  unknown: 'sent',
};

/** Messages API status webhook `status` → ours. https://developer.vonage.com/en/messages/concepts/messages-status-callbacks */
export const VONAGE_MESSAGES_STATUS: Readonly<Record<string, MessageStatus>> = {
  submitted: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  rejected: 'failed',
  undeliverable: 'undelivered',
};

/** DLR `err-code` meanings. https://api.support.vonage.com/hc/en-us/articles/204014733 */
/**
 * Receipt codes meaning the recipient opted out of this sender: SMS API `err-code` 9 (Vonage's
 * "Messaging Opted-out Numbers" guide); Messages API error 1320 "the number is on the opt-out list".
 * https://developer.vonage.com/en/opt-out-assist/guides/messaging-opted-out-numbers
 */
export const VONAGE_OPT_OUT_CODES: ReadonlySet<string> = new Set(['9', '1320']);

export const VONAGE_DLR_ERRORS: Readonly<Record<string, string>> = {
  '1': 'Unknown: not delivered, no cause determined',
  '2': 'Absent subscriber (temporary)',
  '3': 'Absent subscriber (permanent): number no longer active',
  '4': 'Call barred by user',
  '5': 'Portability error',
  '6': 'Anti-spam rejection by the carrier',
  '7': 'Handset busy',
  '8': 'Network error',
  '9': 'Illegal number: the recipient opted out of this service',
  '10': 'Illegal message (e.g. wrong encoding flag)',
  '11': 'Unroutable',
  '12': 'Destination unreachable',
  '13': 'Subscriber age restriction',
  '14': 'Number blocked by carrier',
};

/** SMS API send `status` (HTTP 200 per part) → our error kind. https://developer.vonage.com/en/api-errors/sms */
export const VONAGE_SMS_SEND_ERRORS: Readonly<Record<string, { kind: ProviderErrorKind; text: string }>> = {
  '1': { kind: 'rate_limited', text: 'Throttled' },
  '2': { kind: 'rejected', text: 'Missing parameters' },
  '3': { kind: 'rejected', text: 'Invalid parameters' },
  '4': { kind: 'auth_failed', text: 'Invalid credentials' },
  '5': { kind: 'unavailable', text: 'Internal error' },
  '6': { kind: 'invalid_number', text: 'Invalid message (e.g. unrecognised number prefix)' },
  '7': { kind: 'opted_out', text: 'Number barred' },
  '8': { kind: 'auth_failed', text: 'Partner account barred' },
  '9': { kind: 'insufficient_funds', text: 'Partner quota violation (no credit)' },
  '10': { kind: 'rate_limited', text: 'Too many existing binds' },
  '11': { kind: 'auth_failed', text: 'Account not enabled for HTTP' },
  '12': { kind: 'rejected', text: 'Message too long' },
  '14': { kind: 'auth_failed', text: 'Invalid signature' },
  '15': { kind: 'rejected', text: 'Invalid sender address' },
  '22': { kind: 'rejected', text: 'Invalid network code' },
  '23': { kind: 'rejected', text: 'Invalid callback URL' },
  '29': { kind: 'rejected', text: 'Non-whitelisted destination (trial account)' },
  '32': { kind: 'auth_failed', text: 'Signature and API secret disallowed' },
  '33': { kind: 'invalid_number', text: 'Number de-activated' },
};

/** Messages API RFC 7807 generic error names (the `type` URL fragment). https://developer.vonage.com/en/api-errors */
export const VONAGE_MESSAGES_ERROR_KIND: Readonly<Record<string, ProviderErrorKind>> = {
  'low-balance': 'insufficient_funds',
  unauthorized: 'auth_failed',
  forbidden: 'auth_failed',
  unprovisioned: 'auth_failed',
  'account-suspended': 'auth_failed',
  'jwt-expired': 'auth_failed',
  'jwt-revoked': 'auth_failed',
};
