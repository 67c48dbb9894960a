import type { MessageStatus } from '../core/types.js';
import type { ProviderErrorKind } from '../core/errors.js';

/**
 * Delivery-receipt `status` (lower-cased) → ours; `status_code` refines it (clicksendReceiptStatus).
 * Queued/Scheduled/WaitApproval (manual review) are still with ClickSend; Sent reached the network.
 * https://developers.clicksend.com/docs/messaging/sms (receipts) and ClickSend's help centre article on SMS statuses.
 */
export const CLICKSEND_STATUS: Readonly<Record<string, MessageStatus>> = {
  queued: 'queued',
  scheduled: 'queued',
  waitapproval: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  failed: 'undelivered',
  undelivered: 'undelivered',
  expired: 'undelivered',
  cancelled: 'failed',
  cancelledafterreview: 'failed',
  rejected: 'failed',
};

/** `status_code` 201 = delivered to the handset; 300 = temporary failure ClickSend retries; 301 = permanent. */
export const CLICKSEND_STATUS_CODE: Readonly<Record<string, MessageStatus>> = {
  '201': 'delivered',
  '300': 'sent',
  '301': 'undelivered',
};

export function clicksendReceiptStatus(status: string, statusCode: string | undefined): MessageStatus | undefined {
  const text = status.toLowerCase();
  const byText = CLICKSEND_STATUS[text];
  const byCode = statusCode ? CLICKSEND_STATUS_CODE[statusCode] : undefined;
  // The code decides for the ambiguous words ("Sent" 201 is delivered, "Failed" 300 is retried).
  if (text === 'sent' || text === 'failed' || !byText) return byCode ?? byText;
  return byText;
}

/**
 * Per-message `status` of a send answer (`data.messages[].status`), which can fail inside an HTTP 200.
 * Anything else that is not SUCCESS is a plain rejection. https://developers.clicksend.com/docs/messaging/sms
 */
export const CLICKSEND_SEND_KIND: Readonly<Record<string, ProviderErrorKind>> = {
  INVALID_RECIPIENT: 'invalid_number',
  INSUFFICIENT_CREDIT: 'insufficient_funds',
  MISSING_REQUIRED_FIELDS: 'rejected',
  INVALID_RETURN_ADDRESS: 'rejected',
};
