import type { MessageStatus } from '../core/types.js';

/**
 * SMPP receipt `stat:` word (in the receipt text BulkVS posts to the message webhook) → ours.
 * The SMPP 3.4 appendix B vocabulary; BulkVS documents none of it (unconfirmed, live-traffic notes).
 * Anything else keeps the message `sent`, with the word kept in its history.
 */
export const BULKVS_STAT: Readonly<Record<string, MessageStatus>> = {
  DELIVRD: 'delivered',
  UNDELIV: 'undelivered',
  EXPIRED: 'undelivered',
  REJECTD: 'failed',
  DELETED: 'failed',
  ACCEPTD: 'sent',
  ENROUTE: 'sent',
  UNKNOWN: 'sent',
};

/** Readable reasons for the final words, stored with the receipt's `err:` code. */
export const BULKVS_STAT_REASON: Readonly<Record<string, string>> = {
  UNDELIV: 'the carrier could not deliver the message',
  EXPIRED: 'the message expired before it could be delivered',
  REJECTD: 'the carrier rejected the message',
  DELETED: 'the message was deleted before delivery',
};

/** `id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`, anchored at the start. */
export const SMPP_RECEIPT = /^id:(\S+) sub:\d+ dlvrd:\d+ submit date:\d+ done date:(\d+) stat:([A-Za-z]+) err:(\w+)(?: text:.*)?$/s;
