/** Display helpers: times, phone numbers, sizes. All output is plain text (rendered by React as text). */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';

export function formatPhone(value: string): string {
  if (!value.startsWith('+')) return value;
  const parsed = parsePhoneNumberFromString(value);
  return parsed ? parsed.formatInternational() : value;
}

/**
 * Normalises a typed number to E.164 with libphonenumber rules (F18), as the server does
 * (src/lib/phone.ts): "00" means "+", local numbers use the default country, and clearly
 * international numbers libphonenumber does not know are kept. Null when it is not a number.
 */
export function toE164(input: string, defaultCountry?: string | null): string | null {
  const trimmed = input.trim();
  if (!/^[+(\d]/.test(trimmed) || /[A-Za-z]/.test(trimmed)) return null;
  const international = trimmed.replace(/^00/, '+');
  const parsed = international.startsWith('+')
    ? parsePhoneNumberFromString(international)
    : defaultCountry
      ? parsePhoneNumberFromString(international, defaultCountry.toUpperCase() as CountryCode)
      : undefined;
  if (!parsed || !parsed.isPossible()) {
    const digits = international.replace(/[\s().-]/g, '');
    return /^\+[1-9]\d{6,14}$/.test(digits) ? digits : null;
  }
  return parsed.number;
}

export function guessCountry(): string {
  const lang = typeof navigator !== 'undefined' ? navigator.language : 'en-US';
  const region = /-([A-Z]{2})$/i.exec(lang)?.[1];
  return (region ?? 'US').toUpperCase();
}

export function shortTime(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  if (date.toDateString() === today.toDateString()) return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const age = today.getTime() - date.getTime();
  if (age < 6 * 86_400_000) return date.toLocaleDateString([], { weekday: 'short' });
  return date.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

export function fullTime(iso: string): string {
  return new Date(iso).toLocaleString([], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

export function conversationTitle(c: { contacts: Array<{ name: string }>; remoteNumbers: string[] }): string {
  if (c.contacts.length > 0) return c.contacts.map((contact) => contact.name).join(', ');
  return c.remoteNumbers.map(formatPhone).join(', ');
}
