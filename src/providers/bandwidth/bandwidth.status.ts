import type { MessageStatus } from '../core/types.js';

/**
 * Bandwidth callback `type` → ours. Vocabulary: CallbackTypeEnum and StatusCallbackTypeEnum in the
 * official SDK (Bandwidth/node-sdk models/), plus `message-sent` from the v2 docs.
 * https://dev.bandwidth.com/docs/messaging/webhooks
 * Without the MMS/group DLR feature, `message-delivered` for MMS only means Bandwidth's MMSC took it.
 */
export const BANDWIDTH_STATUS: Readonly<Record<string, MessageStatus>> = {
  'message-received': 'received',
  'message-sending': 'sending',
  'message-sent': 'sent',
  'message-delivered': 'delivered',
  'message-read': 'delivered',
  // Refined by failureStatus(): undelivered unless the code says it never left Bandwidth.
  'message-failed': 'undelivered',
};

/**
 * 41xx/43xx/44xx are rejected by Bandwidth itself and 51xx/52xx are Bandwidth service failures:
 * the message never reached a carrier, so it is `failed`; 47xx (carrier), 56xx and 9xxx are `undelivered`.
 * https://dev.bandwidth.com/docs/messaging/errors
 */
/** `message-failed` codes meaning the recipient opted out (STOP) at the carrier: 4775. https://dev.bandwidth.com/docs/messaging/errors */
export const BANDWIDTH_OPT_OUT_CODES: ReadonlySet<string> = new Set(['4775']);

export function failureStatus(errorCode: string | undefined): MessageStatus {
  return errorCode && /^(4[134]|5[12])\d\d$/.test(errorCode) ? 'failed' : 'undelivered';
}
