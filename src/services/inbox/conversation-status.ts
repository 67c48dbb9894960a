/**
 * Conversation status (issue 12): open, pending, resolved, or snoozed until a time. A snooze that
 * has run out reads as open without a job to wake it; a new inbound message reopens any status
 * (touchConversation).
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { ConversationStatus, ConversationTable } from '../../db/schema.js';
import { AppError } from '../../errors.js';

export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved', 'snoozed'] as const satisfies readonly ConversationStatus[];

/** The status a reader sees now: a snooze whose time has passed is open again. */
export function effectiveStatus(row: Pick<ConversationTable, 'status' | 'snoozed_until'>, now = new Date().toISOString()): ConversationStatus {
  if (row.status === 'snoozed' && (!row.snoozed_until || row.snoozed_until <= now)) return 'open';
  return row.status;
}

/** A where-clause for conversations whose effective status is `status`. */
export function hasStatus(status: ConversationStatus, now = new Date().toISOString()): Expression<SqlBool> {
  if (status === 'open') return sql<SqlBool>`(status = 'open' or (status = 'snoozed' and (snoozed_until is null or snoozed_until <= ${now})))`;
  if (status === 'snoozed') return sql<SqlBool>`(status = 'snoozed' and snoozed_until > ${now})`;
  return sql<SqlBool>`status = ${status}`;
}

/** Checks a requested change: a snooze needs a future time (at most a year ahead); other statuses take none. */
export function statusChange(status: ConversationStatus, snoozedUntil: string | null | undefined, now = Date.now()): { status: ConversationStatus; snoozed_until: string | null } {
  if (status !== 'snoozed') {
    if (snoozedUntil) throw new AppError('validation_error', `snoozedUntil only goes with status "snoozed", not "${status}"`);
    return { status, snoozed_until: null };
  }
  if (!snoozedUntil) throw new AppError('validation_error', 'status "snoozed" needs snoozedUntil, the time it reopens');
  const at = Date.parse(snoozedUntil);
  if (!Number.isFinite(at) || at <= now) throw new AppError('validation_error', `snoozedUntil "${snoozedUntil}" must be a time in the future`);
  if (at > now + 366 * 86_400_000) throw new AppError('validation_error', `snoozedUntil "${snoozedUntil}" is more than a year ahead`);
  return { status, snoozed_until: new Date(at).toISOString() };
}
