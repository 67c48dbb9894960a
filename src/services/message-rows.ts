/** The hot writes of a message row, prepared once (src/db/prepared.ts). */
import type { MessageTable } from '../db/schema.js';
import { prepared, type Executor } from '../db/prepared.js';

const COLUMNS: Array<keyof MessageTable> = [
  'id', 'tenant_id', 'conversation_id', 'number_id', 'direction', 'from_number', 'to_numbers', 'body', 'encoding', 'segments', 'status',
  'provider_account_id', 'provider_type', 'provider_message_id', 'error_code', 'error_message', 'idempotency_key', 'send_at', 'created_at',
  'sent_at', 'delivered_at', 'read_at', 'created_by', 'media_count',
];

const values = (p: MessageTable) => Object.fromEntries(COLUMNS.map((column) => [column, p[column]])) as unknown as MessageTable;

const insertRow = prepared<MessageTable>()((db, p) => db.insertInto('messages').values(values(p)));

/** A provider's retry of a message already stored inserts nothing. */
const insertUnlessKnown = prepared<MessageTable>()((db, p) =>
  db
    .insertInto('messages')
    .values(values(p))
    .onConflict((oc) => oc.columns(['provider_account_id', 'provider_message_id']).doNothing()),
);

const byId = prepared<{ id: string }>()((db, p) => db.selectFrom('messages').selectAll().where('id', '=', p.id));

export async function insertMessage(trx: Executor, row: MessageTable): Promise<void> {
  await insertRow.execute(trx, row);
}

/** False when the provider already delivered this message (same account and provider id). */
export async function insertInboundMessage(trx: Executor, row: MessageTable): Promise<boolean> {
  return Number((await insertUnlessKnown.execute(trx, row)).numAffectedRows ?? 0) > 0;
}

export function messageById(db: Executor, id: string): Promise<MessageTable | undefined> {
  return byId.first(db, { id });
}

/**
 * The enqueue options that hand a message row to its job (the queue's `handoff`), with roughly
 * what the row holds in memory for the queue's handoff budget: its fields, and its text as UTF-16.
 */
export function messageHandoff(row: MessageTable): { handoff: MessageTable; handoffBytes: number } {
  return { handoff: row, handoffBytes: 800 + 2 * (row.body.length + row.to_numbers.length) };
}
