/** Phone numbers to E.164 (F18) and the alphanumeric sender-ID rule (F7). */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { AppError } from '../errors.js';

const SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9 .\-&]{1,11}$/;

export function isSenderId(value: string): boolean {
  return SENDER_ID.test(value.trim());
}

/**
 * Returns the E.164 form of `input`, reading local numbers in `defaultCountry`; numbers already
 * international (leading + or 00) are kept as they are. Returns null when it is not a number.
 */
export function toE164(input: string, defaultCountry?: string | null): string | null {
  // Every message reads the same few numbers again and again, and parsing one is the costliest
  // step of normalising it: remember recent answers (a pure function of its two inputs).
  const key = `${defaultCountry ?? ''}|${input}`;
  const known = recent.get(key);
  if (known !== undefined) return known;
  const answer = parseE164(input, defaultCountry);
  if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value!);
  recent.set(key, answer);
  return answer;
}

const RECENT_LIMIT = 10_000;
const recent = new Map<string, string | null>();

function parseE164(input: string, defaultCountry?: string | null): string | null {
  const trimmed = input.trim();
  if (!/^[+(\d]/.test(trimmed) || /[A-Za-z]/.test(trimmed)) return null;
  const international = trimmed.replace(/^00/, '+');
  const parsed = international.startsWith('+')
    ? parsePhoneNumberFromString(international)
    : defaultCountry
      ? parsePhoneNumberFromString(international, defaultCountry.toUpperCase() as CountryCode)
      : undefined;
  if (!parsed || !parsed.isPossible()) {
    // Short codes and numbers libphonenumber does not know stay usable when clearly international.
    const digits = international.replace(/[\s().-]/g, '');
    return /^\+[1-9]\d{6,14}$/.test(digits) ? digits : null;
  }
  return parsed.number;
}

/** Like toE164 but throws a 400 naming the field when the value is not a phone number. */
export function requireE164(field: string, input: string, defaultCountry?: string | null): string {
  const e164 = toE164(input, defaultCountry);
  if (e164) return e164;
  const hint = input.trim().startsWith('+') || defaultCountry ? '' : ' (a local number needs a default country, or write it with +country code)';
  throw new AppError('invalid_number', `${field} "${input}" is not a valid phone number${hint}`);
}
