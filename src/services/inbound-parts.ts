/**
 * Holding the parts of a split inbound message until they can be stored as one (issue 13).
 *
 * A part is written to `inbound_parts` inside the webhook's transaction, together with a join job,
 * so it is durable before the carrier gets its 2xx. The job runs at once when the message is
 * complete (a text part and a media part are both waiting) or when the part is a whole message by
 * itself; otherwise after JOIN_WAIT_MS, and then stores whatever parts arrived (text only, or media
 * only) — nothing acknowledged is dropped. A part arriving after its group was joined starts a new
 * group and becomes its own message. Joined rows keep `joined_as`, so a retried part is a duplicate.
 */
import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database, InboundPartTable, ProviderAccountTable } from '../db/schema.js';
import { now } from '../db/client.js';
import type { SplitInboundMessage } from '../providers/core/split-parts.js';
import type { InboundMessage } from '../providers/core/types.js';

export const JOIN_INBOUND_PARTS_JOB = 'inbound.join-parts';
/** How long a part waits for its sibling (VoiceMeUp sends both within a few seconds). */
export const JOIN_WAIT_MS = 5_000;
/** Joined rows are kept this long to recognise late retries, then pruned. */
export const JOINED_RETENTION_MS = 7 * 24 * 3600_000;

/** Stores one part and schedules its join; false when the carrier already delivered this part. */
export async function holdInboundPart(ctx: AppContext, trx: Transaction<Database>, account: ProviderAccountTable, number: { id: string; number: string }, part: SplitInboundMessage): Promise<boolean> {
  const { split, raw: _raw, ...message } = part;
  const inserted = await trx
    .insertInto('inbound_parts')
    .values({
      provider_account_id: account.id,
      part_id: part.providerMessageId,
      group_key: split.key,
      role: split.role,
      tenant_id: account.tenant_id,
      number_id: number.id,
      number: number.number,
      payload: JSON.stringify(message),
      created_at: now(),
      joined_as: null,
    })
    .onConflict((oc) => oc.columns(['provider_account_id', 'part_id']).doNothing())
    .returning('part_id')
    .executeTakeFirst();
  if (!inserted) return false;
  const waiting = await trx.selectFrom('inbound_parts').select('role').where('provider_account_id', '=', account.id).where('group_key', '=', split.key).where('joined_as', 'is', null).execute();
  const complete = waiting.some((row) => row.role === 'text') && waiting.some((row) => row.role === 'media');
  const runAt = complete || split.standalone ? now() : new Date(Date.now() + JOIN_WAIT_MS).toISOString();
  await ctx.queue.enqueue(trx, JOIN_INBOUND_PARTS_JOB, { accountId: account.id, groupKey: split.key }, { runAt, tenantId: account.tenant_id });
  return true;
}

/**
 * One message from the waiting parts of a group: the text part's id and text (a media part's own
 * text is added when it differs), every part's media, the earliest time.
 */
export function mergeParts(parts: Array<Pick<InboundPartTable, 'part_id' | 'role' | 'payload'>>): InboundMessage {
  const messages = parts.map((part) => ({ role: part.role, message: JSON.parse(part.payload) as InboundMessage }));
  const ordered = [...messages.filter((m) => m.role === 'text'), ...messages.filter((m) => m.role !== 'text')];
  const first = ordered[0]!.message;
  const bodies: string[] = [];
  for (const { message } of ordered) if (message.body.trim() && !bodies.includes(message.body)) bodies.push(message.body);
  const times = ordered.map((m) => m.message.receivedAt).filter((t): t is string => Boolean(t)).sort();
  return {
    providerMessageId: first.providerMessageId,
    from: first.from,
    to: first.to,
    body: bodies.join('\n'),
    media: ordered.flatMap((m) => m.message.media),
    receivedAt: times[0],
  };
}
