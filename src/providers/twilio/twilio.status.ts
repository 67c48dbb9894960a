import type { MessageStatus } from '../core/types.js';

/** Twilio's MessageStatus vocabulary → ours. https://www.twilio.com/docs/messaging/api/message-resource#message-status-values */
export const TWILIO_STATUS: Readonly<Record<string, MessageStatus>> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  partially_delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
  receiving: 'received',
  received: 'received',
};

/** Create-time error codes that are not a plain rejection. https://www.twilio.com/docs/api/errors */
export const TWILIO_ERROR_KIND: Readonly<Record<string, 'opted_out' | 'invalid_number' | 'auth_failed' | 'rate_limited' | 'insufficient_funds'>> = {
  '21610': 'opted_out',
  '21211': 'invalid_number',
  '21612': 'invalid_number',
  '21614': 'invalid_number',
  '21635': 'invalid_number',
  '20003': 'auth_failed',
  '20429': 'rate_limited',
  '20005': 'insufficient_funds',
  '21606': 'invalid_number',
};

/**
 * Readable reasons for the delivery error codes status callbacks carry (they send `ErrorCode`
 * without a message). https://www.twilio.com/docs/api/errors
 */
export const TWILIO_ERROR_REASON: Readonly<Record<string, string>> = {
  '21610': 'Attempt to send to unsubscribed recipient (opted out)',
  '30001': 'Queue overflow',
  '30002': 'Account suspended',
  '30003': 'Unreachable destination handset',
  '30004': 'Message blocked',
  '30005': 'Unknown destination handset',
  '30006': 'Landline or unreachable carrier',
  '30007': 'Message filtered by the carrier',
  '30008': 'Unknown error',
  '30034': 'Message from an unregistered 10DLC number',
};
