/** Number formats of carriers that speak bare digits (US/Canada "11 digits", no plus sign). */
import { ProviderError } from './errors.js';

/** Whether `e164` is a US/Canada (NANP) number: +1 and 10 digits. */
export function isNanpNumber(e164: string): boolean {
  return /^\+1\d{10}$/.test(e164);
}

/** E.164 → the 11 digits (1 + 10) a NANP-only carrier wants; anything else is an invalid number. */
export function toNanpDigits(provider: string, e164: string, field: string): string {
  const digits = e164.replace(/^\+/, '');
  if (!isNanpNumber(`+${digits}`)) throw new ProviderError(provider, 'invalid_number', `${provider} carries US/Canada numbers only; ${field} "${e164}" is not +1 followed by 10 digits`);
  return digits;
}

/** A carrier's bare digits → E.164 (10 digits are taken as NANP); other text is kept as it is. */
export function fromCarrierDigits(value: string): string {
  const digits = value.trim().replace(/^\+/, '');
  if (/^\d{10}$/.test(digits)) return `+1${digits}`;
  return /^\d{7,15}$/.test(digits) ? `+${digits}` : value.trim();
}
