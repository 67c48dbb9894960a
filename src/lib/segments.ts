/**
 * SMS encoding and segment count (F19). GSM 03.38 basic set is 1 septet per character, its
 * extension table 2; anything else forces UCS-2, where characters outside the BMP take two
 * 16-bit units. Concatenated parts carry a 6/7-byte UDH: 153 septets or 67 units per part, and a
 * part never splits an escape sequence or a surrogate pair.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';
const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export type Encoding = 'GSM-7' | 'UCS-2';

export interface SegmentInfo {
  encoding: Encoding;
  segments: number;
  /** Septets (GSM-7) or 16-bit code units (UCS-2). */
  units: number;
  /** Characters that forced UCS-2, de-duplicated, in order of appearance. */
  ucs2Characters: string[];
}

export function countSegments(text: string): SegmentInfo {
  const ucs2Characters: string[] = [];
  const gsmUnits: number[] = [];
  for (const char of text) {
    if (basic.has(char)) gsmUnits.push(1);
    else if (extension.has(char)) gsmUnits.push(2);
    else if (!ucs2Characters.includes(char)) ucs2Characters.push(char);
  }
  if (ucs2Characters.length === 0) {
    return { encoding: 'GSM-7', units: sum(gsmUnits), segments: packParts(gsmUnits, 160, 153), ucs2Characters };
  }
  const ucsUnits = Array.from(text, (char) => char.length);
  return { encoding: 'UCS-2', units: sum(ucsUnits), segments: packParts(ucsUnits, 70, 67), ucs2Characters };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function packParts(units: number[], single: number, perPart: number): number {
  const total = sum(units);
  if (total === 0) return 0;
  if (total <= single) return 1;
  let parts = 1;
  let used = 0;
  for (const size of units) {
    if (used + size > perPart) {
      parts += 1;
      used = 0;
    }
    used += size;
  }
  return parts;
}
