import type { ProviderErrorKind } from '../core/errors.js';

/**
 * VoIP.ms has no delivery receipts, so its only status vocabulary is the `status` word of an API
 * answer (HTTP 200 either way): `success` or an error word. Error words from the REST/JSON API
 * reference (https://voip.ms/m/apidocs.php, "Errors"); an unknown word fails the send as
 * `rejected`, keeping the word as the code.
 */
export const VOIPMS_SEND_ERRORS: Readonly<Record<string, ProviderErrorKind>> = {
  invalid_credentials: 'auth_failed',
  missing_credentials: 'auth_failed',
  api_not_enabled: 'auth_failed',
  // The calling server's IP is not on the API allow-list.
  ip_not_enabled: 'auth_failed',
  // The daily API sending quota (100 by default): later, not never.
  limit_reached: 'rate_limited',
  invalid_dst: 'invalid_number',
  missing_dst: 'invalid_number',
  invalid_did: 'rejected',
  missing_did: 'rejected',
  message_empty: 'rejected',
  missing_sms: 'rejected',
  invalid_sms: 'rejected',
  sms_toolong: 'rejected',
  sms_failed: 'rejected',
  mms_failed: 'rejected',
  invalid_mms: 'rejected',
  // Prepaid balance words (unconfirmed spellings).
  no_balance: 'insufficient_funds',
  insufficient_balance: 'insufficient_funds',
};

/** Words outside the table: an opt-out or balance word is still sorted by what it says. */
export function voipmsErrorKind(status: string): ProviderErrorKind {
  if (Object.hasOwn(VOIPMS_SEND_ERRORS, status)) return VOIPMS_SEND_ERRORS[status]!;
  if (/opt(ed)?_?out|unsubscribed/i.test(status)) return 'opted_out';
  if (/balance|funds|credit/i.test(status)) return 'insufficient_funds';
  return 'rejected';
}
