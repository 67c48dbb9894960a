/**
 * Phone-number search in any format: "(555) 987-6543", "555-987-6543", "+1 555 987" all find
 * "+15559876543". Stored numbers are E.164, so a phone-looking query is reduced to its digits
 * and matched as a substring of the stored number.
 */
import { sql, type Expression, type SqlBool } from 'kysely';

/** The digits of `text` when it reads as (part of) a phone number, else null. */
export function phoneDigits(text: string): string | null {
  const trimmed = text.trim().replace(/…$/, '');
  if (!/^\+?[\d\s().\-]+$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, '');
  return digits.length >= 3 ? digits : null;
}

/** `column` (E.164 text, or a JSON list of them) contains these digits in sequence. */
export function containsDigits(column: string, digits: string): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${`%${digits}%`}`;
}

/** A status filter names one status or a comma-separated list (`failed,undelivered`). */
export function statusList(filter: string): string[] {
  return [...new Set(filter.split(',').map((s) => s.trim()).filter(Boolean))];
}
