/**
 * inbound.process: after an inbound message is committed, download its media, then announce it
 * (events) and run the registered inbound handlers (routing, email, push — F8, F10, F11).
 */
import type { AppContext } from '../context.js';
import type { MessageTable } from '../db/schema.js';
import { PROCESS_INBOUND_JOB, announceInbound, type ProcessInboundPayload } from '../services/ingest-inbound.js';
import { ProviderError } from '../providers/core/errors.js';
import { messageById } from '../services/message-rows.js';
import type { JobDefinition } from './queue.js';

export type InboundHandler = (ctx: AppContext, message: MessageTable) => Promise<void>;
const handlers: InboundHandler[] = [];

/** Registers work to do for every new inbound message, after its media is stored. */
export function onInboundMessage(handler: InboundHandler): void {
  handlers.push(handler);
}

export function processInboundJob(ctx: AppContext): JobDefinition<ProcessInboundPayload> {
  return {
    name: PROCESS_INBOUND_JOB,
    maxAttempts: 6,
    concurrency: 16,
    async handle({ messageId, liveAnnounced }, { attempt, maxAttempts, log, handoff }) {
      // The row as ingest committed it: what routing reads of an inbound message never changes.
      const handedOver = handoff as MessageTable | undefined;
      const message = handedOver?.id === messageId ? handedOver : await messageById(ctx.db, messageId);
      if (!message) return;
      await downloadPendingMedia(ctx, message, attempt >= maxAttempts, log);
      announceInbound(ctx, message, liveAnnounced ? 'sinks' : undefined);
      for (const handler of handlers) await handler(ctx, message);
    },
  };
}

async function downloadPendingMedia(ctx: AppContext, message: MessageTable, lastAttempt: boolean, log: import('pino').Logger): Promise<void> {
  if (message.media_count === 0) return;
  const pending = await ctx.db.selectFrom('media').selectAll().where('message_id', '=', message.id).where('status', '=', 'pending').execute();
  if (pending.length === 0 || !message.provider_account_id) return;
  const account = await ctx.db.selectFrom('provider_accounts').selectAll().where('id', '=', message.provider_account_id).executeTakeFirstOrThrow();
  const adapter = ctx.accounts.adapter(account);
  for (const item of pending) {
    try {
      // Every download goes through the guarded fetch (adapters' deps.fetch): private addresses
      // are refused at connect time on every redirect hop unless ALLOW_PRIVATE_URLS admits them.
      const fetched = await adapter.fetchMedia(item.source_url ?? '');
      const contentType = item.content_type !== 'application/octet-stream' ? item.content_type : fetched.contentType;
      ctx.media.checkMedia(contentType, fetched.data.length);
      const saved = await ctx.media.save(message.tenant_id, contentType, fetched.data, { messageId: message.id, sourceUrl: item.source_url, replaces: item.id });
      log.debug({ mediaId: saved.id, size: saved.size }, 'inbound media stored');
    } catch (error) {
      const transient = error instanceof ProviderError && error.retryable;
      if (transient && !lastAttempt) throw error;
      log.warn({ err: error, url: item.source_url }, 'inbound media could not be stored');
      await ctx.db.updateTable('media').set({ status: 'failed' }).where('id', '=', item.id).execute();
    }
  }
}
