/**
 * inbound.join-parts: stores the waiting parts of a split inbound message as one message (see
 * services/inbound-parts.ts). Runs under the group's lock, so two runs never store a group twice;
 * a run that finds nothing waiting (already joined) does nothing.
 */
import type { AppContext } from '../context.js';
import { now } from '../db/client.js';
import { insertInbound } from '../services/ingest-inbound.js';
import { JOIN_INBOUND_PARTS_JOB, JOINED_RETENTION_MS, mergeParts } from '../services/inbound-parts.js';
import { lockProviderMessage } from '../services/message-status.js';
import type { JobDefinition } from './queue.js';

export function joinInboundPartsJob(ctx: AppContext): JobDefinition<{ accountId: string; groupKey: string }> {
  return {
    name: JOIN_INBOUND_PARTS_JOB,
    maxAttempts: 8,
    concurrency: 4,
    async handle({ accountId, groupKey }, { log }) {
      const stored = await ctx.db.transaction().execute(async (trx) => {
        await lockProviderMessage(trx, ctx.store.dialect, accountId, `join:${groupKey}`);
        const parts = await trx
          .selectFrom('inbound_parts')
          .selectAll()
          .where('provider_account_id', '=', accountId)
          .where('group_key', '=', groupKey)
          .where('joined_as', 'is', null)
          .orderBy('created_at')
          .orderBy('part_id')
          .execute();
        if (parts.length === 0) return null;
        const account = await trx.selectFrom('provider_accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
        const merged = mergeParts(parts);
        const first = parts.find((part) => part.role === 'text') ?? parts[0]!;
        const messageId = (await insertInbound(ctx, trx, account, { id: first.number_id, number: first.number }, merged))?.id ?? null;
        await trx
          .updateTable('inbound_parts')
          .set({ joined_as: merged.providerMessageId })
          .where('provider_account_id', '=', accountId)
          .where('part_id', 'in', parts.map((part) => part.part_id))
          .execute();
        const cutoff = new Date(Date.parse(now()) - JOINED_RETENTION_MS).toISOString();
        await trx.deleteFrom('inbound_parts').where('provider_account_id', '=', accountId).where('joined_as', 'is not', null).where('created_at', '<', cutoff).execute();
        return { messageId, parts: parts.length };
      });
      if (stored?.messageId) {
        ctx.queue.wake();
        log.debug({ messageId: stored.messageId, parts: stored.parts }, 'split inbound message joined');
      }
    },
  };
}
