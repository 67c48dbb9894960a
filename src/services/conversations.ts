/** Conversations: one thread per (our number, set of remote numbers). */
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from '../lib/ids.js';
import { now, type Db } from '../db/client.js';

type Executor = Db | Transaction<Database>;

export function remoteKey(remotes: string[]): string {
  return [...new Set(remotes)].sort().join(',');
}

export async function findOrCreateConversation(
  trx: Executor,
  input: { tenantId: string; numberId: string | null; ourNumber: string; remotes: string[] },
): Promise<string> {
  const key = remoteKey(input.remotes);
  const existing = await trx
    .selectFrom('conversations')
    .select('id')
    .where('tenant_id', '=', input.tenantId)
    .where('our_number', '=', input.ourNumber)
    .where('remote_key', '=', key)
    .executeTakeFirst();
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
  const row = await trx
    .selectFrom('conversations')
    .select('id')
    .where('tenant_id', '=', input.tenantId)
    .where('our_number', '=', input.ourNumber)
    .where('remote_key', '=', key)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Records a conversation's newest message; an incoming one (`unread`) reopens a pending, resolved or snoozed conversation. */
export async function touchConversation(trx: Executor, conversationId: string, messageId: string, at: string, unread: boolean): Promise<void> {
  await trx
    .updateTable('conversations')
    .set((eb) => ({
      last_message_id: messageId,
      last_message_at: at,
      updated_at: at,
      unread_count: unread ? eb('unread_count', '+', 1) : eb.ref('unread_count'),
      ...(unread ? { status: 'open' as const, snoozed_until: null } : {}),
    }))
    .where('id', '=', conversationId)
    .execute();
}
