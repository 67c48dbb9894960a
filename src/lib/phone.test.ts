import { describe, expect, it } from 'vitest';
import { isSenderId, requireE164, toE164 } from './phone.js';

describe('toE164', () => {
  it.each([
    ['(415) 555-1212', 'US', '+14155551212'],
    ['415.555.1212', 'US', '+14155551212'],
    ['0415 555 121', 'AU', '+61415555121'],
    ['07700 900 123', 'GB', '+447700900123'],
    ['+447700900123', 'US', '+447700900123'],
    ['0044 7700 900123', null, '+447700900123'],
    ['+1 415 555 1212', null, '+14155551212'],
  ])('%s in %s → %s', (input, country, expected) => {
    expect(toE164(input, country)).toBe(expected);
  });

  it('leaves local numbers unresolved without a default country', () => {
    expect(toE164('(415) 555-1212')).toBeNull();
    expect(() => requireE164('to', '(415) 555-1212')).toThrow(/default country/);
  });

  it('rejects text that is not a number', () => {
    expect(toE164('hello', 'US')).toBeNull();
    expect(() => requireE164('to', 'hello', 'US')).toThrow(/to "hello" is not a valid phone number/);
  });
});

describe('isSenderId', () => {
  it('accepts alphanumeric sender IDs of up to 11 characters with a letter', () => {
    expect(isSenderId('ACME')).toBe(true);
    expect(isSenderId('Acme Dental')).toBe(true);
    expect(isSenderId('12345')).toBe(false);
    expect(isSenderId('TooLongSenderName')).toBe(false);
  });
});
