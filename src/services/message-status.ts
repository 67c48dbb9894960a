/** Moves a message's status forward and keeps every transition with its time (F4). */
import { sql, type Transaction } from 'kysely';
import type { Database, MessageTable } from '../db/schema.js';
import { now, type Db } from '../db/client.js';
import { prepared, type PreparedQuery } from '../db/prepared.js';
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

interface StatusUpdateArgs {
  id: string;
  from: string;
  status: string;
  at: string;
  errorCode: string | null;
  errorMessage: string | null;
}

/** The status update's SET clause depends on the change (timestamps, error fields): one prepared statement per shape. */
const statusUpdates = new Map<string, PreparedQuery<StatusUpdateArgs, unknown>>();

function statusUpdate(status: string, withCode: boolean, withMessage: boolean): PreparedQuery<StatusUpdateArgs, unknown> {
  const timestamps = status === 'sent' ? 'sent' : status === 'delivered' ? 'delivered' : status === 'undelivered' ? 'undelivered' : 'none';
  const key = `${timestamps}:${withCode}:${withMessage}`;
  let query = statusUpdates.get(key);
  if (!query) {
    query = prepared<StatusUpdateArgs>()((db, p) => {
      const set: Record<string, unknown> = { status: p.status };
      if (timestamps === 'sent') set.sent_at = p.at;
      // Receipts can overtake each other; a message delivered was sent, even if `sent` comes late.
      if (timestamps === 'delivered' || timestamps === 'undelivered') set.sent_at = sql`coalesce(sent_at, ${p.at})`;
      if (timestamps === 'delivered') set.delivered_at = p.at;
      if (withCode) set.error_code = p.errorCode;
      if (withMessage) set.error_message = p.errorMessage;
      return db
        .updateTable('messages')
        .set(set as Partial<MessageTable>)
        .where('id', '=', p.id)
        .where('status', '=', p.from);
    });
    statusUpdates.set(key, query);
  }
  return query;
}

/** Applies the change when it moves forward; returns false (and changes nothing) otherwise. */
export async function applyStatus(trx: Executor, message: Pick<MessageTable, 'id' | 'tenant_id' | 'status'>, change: StatusChange): Promise<boolean> {
  if (!isForward(message.status, change.status)) return false;
  const at = change.at ?? now();
  const errorCode = change.errorCode ?? null;
  const errorMessage = change.errorMessage ?? null;
  const update = statusUpdate(change.status, errorCode !== null, errorMessage !== null);
  const result = await update.execute(trx, { id: message.id, from: message.status, status: change.status, at, errorCode, errorMessage });
  if (Number(result.numAffectedRows ?? 0) === 0) return false;
  await recordStatus(trx, message, change.status, at, change.detail ?? (errorCode ? `${errorCode}: ${errorMessage ?? ''}`.trim() : null));
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
