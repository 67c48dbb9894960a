/**
 * SMPP 3.4 command_status names and what they mean for a send, and receipt states mapped to ours
 * (SMPP v3.4 §5.1.3 command_status, §5.2.28 message_state, appendix B receipt `stat` words).
 */
import smpp from 'smpp';
import type { ProviderErrorKind } from '../core/errors.js';
import type { MessageStatus } from '../core/types.js';

const NAMES = new Map<number, string>(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

export function statusName(status: number): string {
  return NAMES.get(status) ?? `command_status 0x${status.toString(16).padStart(8, '0')}`;
}

/** The SMSC asks us to slow down; the submit is resent after a backoff. */
export function isThrottle(status: number): boolean {
  return status === smpp.errors.ESME_RTHROTTLED || status === smpp.errors.ESME_RMSGQFUL;
}

/** Refusals worth another attempt later (SMSC-side trouble), as opposed to a bad message. */
const TEMPORARY = new Set(['ESME_RSYSERR', 'ESME_RX_T_APPN', 'ESME_RTHROTTLED', 'ESME_RMSGQFUL']);
const INVALID_NUMBER = new Set(['ESME_RINVDSTADR', 'ESME_RINVDSTTON', 'ESME_RINVDSTNPI']);

export function errorKind(status: number): ProviderErrorKind {
  const name = statusName(status);
  if (TEMPORARY.has(name)) return 'unavailable';
  if (INVALID_NUMBER.has(name)) return 'invalid_number';
  if (name === 'ESME_RINVBNDSTS') return 'unavailable';
  return 'rejected';
}

/** message_state TLV values. */
export const MESSAGE_STATE: Readonly<Record<number, string>> = { 1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD' };

/** Receipt `stat` words; UNKNOWN leaves the message `sent` (carrier-dependent, nothing final known). */
export const RECEIPT_STATUS: Readonly<Record<string, MessageStatus>> = {
  ENROUTE: 'sent',
  ACCEPTD: 'sent',
  UNKNOWN: 'sent',
  DELIVRD: 'delivered',
  EXPIRED: 'undelivered',
  UNDELIV: 'undelivered',
  DELETED: 'failed',
  REJECTD: 'failed',
};
