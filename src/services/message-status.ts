/** Moves a message's status forward and keeps every transition with its time (F4). */
import { sql, type Transaction } from 'kysely';
import type { Database, MessageTable } from '../db/schema.js';
import { now, type Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import { STATUS_RANK, type MessageStatus } from '../providers/core/types.js';

type Executor = Db | Transaction<Database>;

export interface StatusChange {
  status: MessageStatus;
  at?: string;
  detail?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

export function isForward(current: string, next: string): boolean {
  return (STATUS_RANK[next] ?? -1) > (STATUS_RANK[current] ?? -1);
}

const insertStatus = prepared<{ tenantId: string; messageId: string; status: string; at: string; detail: string | null }>()((db, p) =>
  db.insertInto('message_status').values({ tenant_id: p.tenantId, message_id: p.messageId, status: p.status, at: p.at, detail: p.detail }),
);

export async function recordStatus(trx: Executor, message: { id: string; tenant_id: string }, status: string, at: string, detail: string | null = null): Promise<void> {
  await insertStatus.execute(trx, { tenantId: message.tenant_id, messageId: message.id, status, at, detail });
}

/** Applies the change when it moves forward; returns false (and changes nothing) otherwise. */
export async function applyStatus(trx: Executor, message: Pick<MessageTable, 'id' | 'tenant_id' | 'status'>, change: StatusChange): Promise<boolean> {
  if (!isForward(message.status, change.status)) return false;
  const at = change.at ?? now();
  const set: Record<string, unknown> = { status: change.status };
  if (change.status === 'sent') set.sent_at = at;
  // Receipts can overtake each other; a message delivered was sent, even if `sent` comes late.
  if (change.status === 'delivered' || change.status === 'undelivered') set.sent_at = sql`coalesce(sent_at, ${at})`;
  if (change.status === 'delivered') set.delivered_at = at;
  if (change.errorCode !== undefined && change.errorCode !== null) set.error_code = change.errorCode;
  if (change.errorMessage !== undefined && change.errorMessage !== null) set.error_message = change.errorMessage;
  const result = await trx
    .updateTable('messages')
    .set(set as Partial<MessageTable>)
    .where('id', '=', message.id)
    .where('status', '=', message.status)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await recordStatus(trx, message, change.status, at, change.detail ?? (change.errorCode ? `${change.errorCode}: ${change.errorMessage ?? ''}`.trim() : null));
  message.status = change.status;
  return true;
}

/**
 * Serialises the work on one provider message id — the send job recording it, and receipts for
 * it — so that a receipt never reads a stale status or parks itself unseen. PostgreSQL needs an
 * advisory lock (the row may not be visible yet); SQLite transactions already run one at a time.
 */
export async function lockProviderMessage(trx: Executor, dialect: 'sqlite' | 'postgres', accountId: string, providerMessageId: string): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(hashtext(${`${accountId}:${providerMessageId}`}))`.execute(trx);
}
