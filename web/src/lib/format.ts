/** Display helpers: times, phone numbers, sizes. All output is plain text (rendered by React as text). */
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

export function formatPhone(value: string): string {
  if (!value.startsWith('+')) return value;
  const parsed = parsePhoneNumberFromString(value);
  return parsed ? parsed.formatInternational() : value;
}

/** The server's own E.164 normalisation (F18), so the dashboard shows exactly what will be stored. */
export { toE164 } from '@shared/phone';

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
