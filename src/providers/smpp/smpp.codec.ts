/**
 * Text ↔ short_message octets for SMPP: GSM-7 (data_coding 0, unpacked: one septet per octet, as
 * nearly every SMSC expects; or packed 8 septets in 7 octets when the account says so), Latin-1 (3)
 * and UCS-2 (8); splitting into concatenated parts with an 8-bit-reference UDH; reading UDH / SAR
 * concatenation on the way in.
 */
import smpp from 'smpp';

export type TextEncoding = 'gsm7' | 'latin1' | 'ucs2';
export type Gsm7Packing = 'unpacked' | 'packed';

export const DATA_CODING: Readonly<Record<TextEncoding, number>> = { gsm7: 0x00, latin1: 0x03, ucs2: 0x08 };

/** Octets of one part: a single message's whole text, or a concatenated part's share. */
const SINGLE_OCTETS = 140;
const SINGLE_GSM_SEPTETS = 160;
const UDH_OCTETS = 6;
/** Bits after a 6-octet UDH so that packed text starts on a septet boundary (3GPP TS 23.040 9.2.3.24). */
const UDH_FILL_BITS = (7 - ((UDH_OCTETS * 8) % 7)) % 7;
const GSM_CR = 0x0d;

/**
 * Septets (one per octet, as encodeText gives them) packed LSB first, after `fillBits` zero bits.
 * When the last octet would end with 7 spare bits, they hold CR (23.038 6.1.2.3.1) so the
 * receiver does not read a trailing `@`.
 */
export function packSeptets(septets: Buffer, fillBits = 0): Buffer {
  const bits = fillBits + septets.length * 7;
  const out = Buffer.alloc(Math.ceil(bits / 8));
  const write = (septet: number, position: number) => {
    const index = position >> 3;
    const shift = position & 7;
    out[index]! |= (septet << shift) & 0xff;
    if (shift > 1) out[index + 1]! |= septet >> (8 - shift);
  };
  septets.forEach((septet, i) => write(septet & 0x7f, fillBits + i * 7));
  if (out.length * 8 - bits === 7) write(GSM_CR, bits);
  return out;
}

/**
 * The reverse of packSeptets. SMPP gives the length in octets, not septets, so a last septet that
 * could be padding (7 spare bits: CR or zero) is dropped.
 */
export function unpackSeptets(octets: Buffer, fillBits = 0): Buffer {
  const available = octets.length * 8 - fillBits;
  const count = Math.max(0, Math.floor(available / 7));
  const septets = Buffer.alloc(count);
  for (let i = 0; i < count; i += 1) {
    const position = fillBits + i * 7;
    const index = position >> 3;
    const shift = position & 7;
    const word = octets[index]! | ((octets[index + 1] ?? 0) << 8);
    septets[i] = (word >> shift) & 0x7f;
  }
  if (count > 0 && Math.ceil((fillBits + (count - 1) * 7) / 8) === octets.length && (septets[count - 1] === GSM_CR || septets[count - 1] === 0)) return septets.subarray(0, count - 1);
  return septets;
}

export function chooseEncoding(text: string, preferred: 'gsm7' | 'latin1'): TextEncoding {
  if (preferred === 'gsm7' && smpp.encodings.ASCII.match(text)) return 'gsm7';
  if (preferred === 'latin1' && smpp.encodings.LATIN1.match(text)) return 'latin1';
  return 'ucs2';
}

export function encodeText(text: string, encoding: TextEncoding): Buffer {
  if (encoding === 'gsm7') return smpp.encodings.ASCII.encode(text);
  if (encoding === 'latin1') return smpp.encodings.LATIN1.encode(text);
  return smpp.encodings.UCS2.encode(text);
}

/** A whole text as one field's octets (message_payload, or a text that needs no parts). */
export function encodeBody(text: string, encoding: TextEncoding, packing: Gsm7Packing = 'unpacked'): Buffer {
  const octets = encodeText(text, encoding);
  return encoding === 'gsm7' && packing === 'packed' ? packSeptets(octets) : octets;
}

/** Packed GSM-7 text after a UDH of `udhOctets` (0: none), starting at its septet boundary. */
export function decodePackedGsm7(octets: Buffer, udhOctets = 0): string {
  const fillBits = udhOctets === 0 ? 0 : (7 - ((udhOctets * 8) % 7)) % 7;
  return smpp.encodings.ASCII.decode(unpackSeptets(octets, fillBits));
}

export function decodeText(octets: Buffer, dataCoding: number): string {
  const scheme = dataCoding & 0x0f;
  if ((dataCoding & 0xf0) === 0xf0) return (dataCoding & 0x04) === 0 ? smpp.encodings.ASCII.decode(octets) : octets.toString('latin1');
  if (scheme === 0x08) return smpp.encodings.UCS2.decode(octets);
  if (scheme === 0x03) return smpp.encodings.LATIN1.decode(octets);
  if (scheme === 0x01) return octets.toString('ascii');
  return smpp.encodings.ASCII.decode(octets);
}

/** Characters, never split inside a GSM escape sequence or a UTF-16 surrogate pair. */
function units(text: string, encoding: TextEncoding): Buffer[] {
  return Array.from(text, (char) => encodeText(char, encoding));
}

export interface OutboundPart {
  /** UDH + text octets, ready for short_message. */
  shortMessage: Buffer;
  hasUdh: boolean;
}

/**
 * The parts of one message. `reference` is the concatenation reference (0-255) shared by the
 * parts; a text that fits one message gets no UDH.
 */
export function splitText(text: string, encoding: TextEncoding, reference: number, packing: Gsm7Packing = 'unpacked'): OutboundPart[] {
  const whole = encodeText(text, encoding);
  const singleLimit = encoding === 'gsm7' ? SINGLE_GSM_SEPTETS : SINGLE_OCTETS;
  const packed = encoding === 'gsm7' && packing === 'packed';
  if (whole.length <= singleLimit) return [{ shortMessage: packed ? packSeptets(whole) : whole, hasUdh: false }];
  const partLimit = encoding === 'gsm7' ? 153 : SINGLE_OCTETS - UDH_OCTETS;
  const chunks: Buffer[][] = [[]];
  let used = 0;
  for (const unit of units(text, encoding)) {
    if (used + unit.length > partLimit) {
      chunks.push([]);
      used = 0;
    }
    chunks[chunks.length - 1]!.push(unit);
    used += unit.length;
  }
  if (chunks.length > 255) throw new RangeError(`the text needs ${chunks.length} parts; SMPP concatenation allows 255`);
  return chunks.map((chunk, index) => ({
    shortMessage: Buffer.concat([Buffer.from([0x05, 0x00, 0x03, reference & 0xff, chunks.length, index + 1]), packed ? packSeptets(Buffer.concat(chunk), UDH_FILL_BITS) : Buffer.concat(chunk)]),
    hasUdh: true,
  }));
}

export interface Concatenation {
  reference: number;
  total: number;
  sequence: number;
}

/**
 * Reads the concatenation element (8- or 16-bit reference) from a UDH's information elements as
 * the smpp package splits them (`[id, length, ...data]` each); null when there is none.
 */
export function concatenationFromUdh(elements: Buffer[]): Concatenation | null {
  for (const element of elements) {
    const id = element[0];
    const data = element.subarray(2);
    if (id === 0x00 && data.length >= 3) return { reference: data[0]!, total: data[1]!, sequence: data[2]! };
    if (id === 0x08 && data.length >= 4) return { reference: data.readUInt16BE(0), total: data[2]!, sequence: data[3]! };
  }
  return null;
}
