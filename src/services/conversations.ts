/** Conversations: one thread per (our number, set of remote numbers). */
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { now, type Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';

type Executor = Db | Transaction<Database>;

export function remoteKey(remotes: string[]): string {
  return [...new Set(remotes)].sort().join(',');
}

export async function findOrCreateConversation(
  trx: Executor,
  input: { tenantId: string; numberId: string | null; ourNumber: string; remotes: string[] },
): Promise<string> {
  const key = remoteKey(input.remotes);
  const lookup = { tenantId: input.tenantId, ourNumber: input.ourNumber, key };
  const existing = await conversationByKey.first(trx, lookup);
  if (existing) return existing.id;
  const at = now();
  await trx
    .insertInto('conversations')
    .values({
      id: newId('cv'),
      tenant_id: input.tenantId,
      number_id: input.numberId,
      our_number: input.ourNumber,
      remote_key: key,
      remote_numbers: JSON.stringify([...new Set(input.remotes)].sort()),
      assigned_user_id: null,
      last_message_id: null,
      last_message_at: null,
      unread_count: 0,
      created_at: at,
      updated_at: at,
      status: 'open',
      snoozed_until: null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'our_number', 'remote_key']).doNothing())
    .execute();
  const row = await conversationByKey.first(trx, lookup);
  if (!row) throw new Error(`conversation ${key} on ${input.ourNumber} was neither found nor created`);
  return row.id;
}

const conversationByKey = prepared<{ tenantId: string; ourNumber: string; key: string }>()((db, p) =>
  db.selectFrom('conversations').select('id').where('tenant_id', '=', p.tenantId).where('our_number', '=', p.ourNumber).where('remote_key', '=', p.key),
);

const touchRead = prepared<{ id: string; messageId: string; at: string }>()((db, p) =>
  db.updateTable('conversations').set({ last_message_id: p.messageId, last_message_at: p.at, updated_at: p.at }).where('id', '=', p.id),
);

const touchUnread = prepared<{ id: string; messageId: string; at: string }>()((db, p) =>
  db
    .updateTable('conversations')
    .set((eb) => ({ last_message_id: p.messageId, last_message_at: p.at, updated_at: p.at, unread_count: eb('unread_count', '+', 1), status: 'open' as const, snoozed_until: null }))
    .where('id', '=', p.id),
);

/** Records a conversation's newest message; an incoming one (`unread`) reopens a pending, resolved or snoozed conversation. */
export async function touchConversation(trx: Executor, conversationId: string, messageId: string, at: string, unread: boolean): Promise<void> {
  await (unread ? touchUnread : touchRead).execute(trx, { id: conversationId, messageId, at });
}
