import { describe, expect, it } from 'vitest';
import { countSegments } from './segments.js';

describe('countSegments', () => {
  it.each([
    ['', 'GSM-7', 0, 0],
    ['a'.repeat(160), 'GSM-7', 160, 1],
    ['a'.repeat(161), 'GSM-7', 161, 2],
    ['a'.repeat(306), 'GSM-7', 306, 2],
    ['a'.repeat(307), 'GSM-7', 307, 3],
    ['€'.repeat(80), 'GSM-7', 160, 1],
    ['€'.repeat(81), 'GSM-7', 162, 2],
    ['é'.repeat(160), 'GSM-7', 160, 1],
    ['ü'.repeat(70), 'GSM-7', 70, 1],
    ['ł'.repeat(70), 'UCS-2', 70, 1],
    ['ł'.repeat(71), 'UCS-2', 71, 2],
    ['😀'.repeat(35), 'UCS-2', 70, 1],
    ['😀'.repeat(36), 'UCS-2', 72, 2],
  ])('%j → %s, %i units, %i segments', (text, encoding, units, segments) => {
    expect(countSegments(text)).toMatchObject({ encoding, units, segments });
  });

  it('never splits an escape sequence across parts', () => {
    // 152 plain septets then a 2-septet € cannot fit in the first 153-septet part.
    const text = 'a'.repeat(152) + '€' + 'a'.repeat(10);
    expect(countSegments(text)).toMatchObject({ encoding: 'GSM-7', units: 164, segments: 2 });
    expect(countSegments('a'.repeat(152) + '€'.repeat(77)).segments).toBe(3);
  });

  it('never splits a surrogate pair across parts', () => {
    const text = 'ł'.repeat(66) + '😀' + 'ł'.repeat(10);
    expect(countSegments(text)).toMatchObject({ encoding: 'UCS-2', units: 78, segments: 2 });
    expect(countSegments('ł'.repeat(66) + '😀'.repeat(34)).segments).toBe(3);
  });

  it('names the characters that forced UCS-2', () => {
    expect(countSegments('Price “50” ok ł “').ucs2Characters).toEqual(['“', '”', 'ł']);
  });
});
