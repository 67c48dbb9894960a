/**
 * Reads a deliver_sm: a delivery receipt (esm_class receipt bits; receipted_message_id and
 * message_state TLVs when present, else the `id:… stat:… err:…` text) or an MO message (text
 * decoded by data_coding; concatenation from the UDH or the SAR TLVs).
 */
import type { PDU } from 'smpp';
import type { MessageStatus } from '../core/types.js';
import { concatenationFromUdh, decodePackedGsm7, decodeText, type Concatenation, type Gsm7Packing } from './smpp.codec.js';
import { rawMessage } from './smpp.raw.js';
import { MESSAGE_STATE, RECEIPT_STATUS } from './smpp.status.js';

export class MalformedPdu extends Error {}

export interface Receipt {
  kind: 'receipt';
  /** As the SMSC wrote it; compared through canonicalId. */
  messageId: string;
  status: MessageStatus;
  providerStatus: string;
  errorCode?: string;
}

export interface MoPart {
  kind: 'mo';
  from: string;
  to: string;
  text: string;
  concatenation: Concatenation | null;
  /** Octets that identify this PDU's content, for recognising a redelivery. */
  fingerprint: string;
}

const RECEIPT_BITS = 0x3c;
const TYPE_RECEIPT = 0x04;
const TYPE_INTERMEDIATE = 0x20;
const TON_INTERNATIONAL = 1;
const TON_ALPHANUMERIC = 5;
const ESM_UDHI = 0x40;

export function readDeliverSm(pdu: PDU, packing: Gsm7Packing = 'unpacked'): Receipt | MoPart {
  const esmClass = Number(pdu.esm_class ?? 0);
  const messageType = esmClass & RECEIPT_BITS;
  const isReceipt = messageType === TYPE_RECEIPT || messageType === TYPE_INTERMEDIATE;
  const content = textOf(pdu);
  if (isReceipt) return readReceipt(pdu, content.text);
  if (packing === 'packed' && Number(pdu.data_coding ?? 0) === 0) content.text = packedText(pdu, esmClass);
  const from = address(pdu.source_addr, pdu.source_addr_ton);
  const to = address(pdu.destination_addr, pdu.dest_addr_ton);
  if (!from) throw new MalformedPdu('deliver_sm has no source_addr');
  if (!to) throw new MalformedPdu('deliver_sm has no destination_addr');
  const sar = typeof pdu.sar_msg_ref_num === 'number' && typeof pdu.sar_total_segments === 'number' && typeof pdu.sar_segment_seqnum === 'number'
    ? { reference: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, sequence: pdu.sar_segment_seqnum }
    : null;
  const concatenation = content.concatenation ?? sar;
  if (concatenation && (concatenation.total < 1 || concatenation.sequence < 1 || concatenation.sequence > concatenation.total)) {
    throw new MalformedPdu(`concatenation part ${concatenation.sequence} of ${concatenation.total} is not a part`);
  }
  return { kind: 'mo', from, to, text: content.text, concatenation: concatenation && concatenation.total > 1 ? concatenation : null, fingerprint: `${pdu.data_coding}:${esmClass}:${content.text}` };
}

function textOf(pdu: PDU): { text: string; concatenation: Concatenation | null } {
  // The package decodes short_message / message_payload into { udh?, message } by data_coding.
  const field = pdu.message_payload && !(pdu.short_message?.message?.length > 0) ? pdu.message_payload : pdu.short_message;
  if (field === undefined || field === null) return { text: '', concatenation: null };
  const raw = Buffer.isBuffer(field) ? field : field.message;
  const text = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? decodeText(raw, Number(pdu.data_coding ?? 0)) : '';
  const udh = Array.isArray(field.udh) ? (field.udh as Buffer[]) : [];
  if (text.includes('\u0000')) throw new MalformedPdu('deliver_sm text contains NUL characters');
  return { text, concatenation: udh.length > 0 ? concatenationFromUdh(udh) : null };
}

/** MO text of an account whose SMSC packs GSM-7 (receipt text is read unpacked, as SMSCs write it). */
function packedText(pdu: PDU, esmClass: number): string {
  const body: unknown = pdu.rawBody;
  if (!Buffer.isBuffer(body)) throw new MalformedPdu('deliver_sm bytes were not kept; packed GSM-7 cannot be read');
  let raw;
  try {
    raw = rawMessage(body);
  } catch (error) {
    throw new MalformedPdu(`deliver_sm could not be read: ${(error as Error).message}`);
  }
  const field = raw.messagePayload && raw.shortMessage.length === 0 ? raw.messagePayload : raw.shortMessage;
  const udhOctets = esmClass & ESM_UDHI && field.length > 0 ? field[0]! + 1 : 0;
  if (udhOctets > field.length) throw new MalformedPdu('deliver_sm UDH is longer than the message');
  const text = decodePackedGsm7(field.subarray(udhOctets), udhOctets);
  if (text.includes('\u0000')) throw new MalformedPdu('deliver_sm text contains NUL characters');
  return text;
}

function address(value: unknown, ton: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const trimmed = value.trim();
  if (Number(ton) === TON_ALPHANUMERIC) return trimmed;
  const digits = trimmed.replace(/^\+/, '');
  // International numbers come without the `+`; ours are E.164.
  if (/^\d{8,15}$/.test(digits) && (Number(ton) === TON_INTERNATIONAL || trimmed.startsWith('+') || digits.length >= 10)) return `+${digits}`;
  return trimmed;
}

const RECEIPT_TEXT = {
  id: /\bid:\s*([^\s]+)/i,
  stat: /\bstat:\s*([A-Z]+)/i,
  err: /\berr:\s*([0-9A-Za-z]+)/i,
};

function readReceipt(pdu: PDU, text: string): Receipt {
  const tlvId = typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id !== '' ? pdu.receipted_message_id : null;
  const messageId = tlvId ?? RECEIPT_TEXT.id.exec(text)?.[1] ?? null;
  if (!messageId) throw new MalformedPdu('delivery receipt without receipted_message_id or an id: field');
  const state = typeof pdu.message_state === 'number' ? MESSAGE_STATE[pdu.message_state] : undefined;
  const word = (state ?? RECEIPT_TEXT.stat.exec(text)?.[1] ?? '').toUpperCase();
  if (!word) throw new MalformedPdu(`delivery receipt for ${messageId.slice(0, 64)} without message_state or a stat: field`);
  const status = Object.hasOwn(RECEIPT_STATUS, word) ? RECEIPT_STATUS[word]! : null;
  if (!status) throw new MalformedPdu(`delivery receipt state "${word.slice(0, 20)}" is not an SMPP receipt state`);
  const err = RECEIPT_TEXT.err.exec(text)?.[1];
  const networkError = Buffer.isBuffer(pdu.network_error_code) && pdu.network_error_code.length === 3 ? String(pdu.network_error_code.readUInt16BE(1)) : undefined;
  const errorCode = networkError && networkError !== '0' ? networkError : err && !/^0+$/.test(err) ? err : undefined;
  return { kind: 'receipt', messageId: messageId.slice(0, 64), status, providerStatus: word, ...(errorCode && status !== 'delivered' && status !== 'sent' ? { errorCode } : {}) };
}
