import type { MessageStatus } from '../core/types.js';
import type { ProviderErrorKind } from '../core/errors.js';

/**
 * Telnyx `to[].status` → ours. Vocabulary from OutboundMessagePayload.To.status in the official
 * SDK (telnyx-node src/resources/messages/messages.ts), plus `read` (RCS).
 * https://developers.telnyx.com/docs/messaging/messages/message-detail-records
 */
export const TELNYX_STATUS: Readonly<Record<string, MessageStatus>> = {
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  delivery_failed: 'undelivered',
  sending_failed: 'failed',
  // Never left Telnyx's queue (errors 40005/40014).
  expired: 'failed',
  // Final, but the carrier gave no receipt: it left Telnyx, so it stays `sent`.
  delivery_unconfirmed: 'sent',
};

/**
 * Error codes that are not a plain rejection; classified by code because Telnyx answers 40300
 * (STOP) with 400 or 403. https://developers.telnyx.com/docs/messaging/messages/error-codes and
 * https://developers.telnyx.com/development/api-fundamentals/api-errors
 */
export const TELNYX_ERROR_KIND: Readonly<Record<string, ProviderErrorKind>> = {
  '10009': 'auth_failed',
  '10010': 'auth_failed',
  '10011': 'rate_limited',
  '40318': 'rate_limited',
  '40300': 'opted_out',
  '10002': 'invalid_number',
  '10016': 'invalid_number',
  '40310': 'invalid_number',
  '40319': 'invalid_number',
  '40001': 'invalid_number',
  '40012': 'invalid_number',
};
