import type { MessageStatus } from '../core/types.js';

/** Delivery report `status` → ours. https://developers.sinch.com/docs/sms/api-reference/ (Delivery reports) */
export const SINCH_STATUS: Readonly<Record<string, MessageStatus>> = {
  Queued: 'queued',
  Dispatched: 'sent',
  Delivered: 'delivered',
  Failed: 'undelivered',
  Expired: 'undelivered',
  // Deleted: removed before delivery, e.g. an invalid or opted-out recipient.
  Deleted: 'undelivered',
  Rejected: 'failed',
  Aborted: 'failed',
  Cancelled: 'failed',
  // Sinch knows nothing more yet; keep the message where it is rather than guess.
  Unknown: 'sent',
};

/** Delivery report `code` meanings (other values are operator/SMPP codes). https://developers.sinch.com/java-sdk/apidocs/com/sinch/sdk/domains/sms/models/DeliveryReportErrorCode.html */
export const SINCH_DELIVERY_CODES: Readonly<Record<string, string>> = {
  '400': 'Queued',
  '401': 'Dispatched',
  '402': 'Unroutable',
  '403': 'Internal error',
  '404': 'Temporary delivery failure',
  '405': 'Unmatched parameter',
  '406': 'Internal expiry (expired before reaching the SMSC)',
  '407': 'Cancelled',
  '408': 'Internal reject',
  '410': 'Unmatched default originator',
  '411': 'Exceeded parts limit',
  '412': 'Unprovisioned region',
  '413': 'Blocked account',
  '414': 'Bad media URL',
  '415': 'MMSC rejected the message',
  '416': 'MMS content unsupported',
  '417': 'MMSC unreachable',
  '418': 'MMS content unrecognised',
};

/** Codes that only describe progress, not an error. */
export const SINCH_PROGRESS_CODES: ReadonlySet<string> = new Set(['0', '400', '401']);
