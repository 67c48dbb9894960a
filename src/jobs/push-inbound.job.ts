/**
 * push.inbound (F10): a Web Push notification to the users of the number an inbound message
 * arrived on. Registered as an inbound handler that only enqueues (so it never fails or slows
 * inbound processing) when some user of the tenant has a push subscription.
 */
import type { AppContext } from '../context.js';
import { PUSH_INBOUND_JOB, pushPayloadFor, pushRecipients, sendPushToUsers } from '../services/push.js';
import { onInboundMessage } from './process-inbound.job.js';
import type { JobDefinition } from './queue.js';

let hookRegistered = false;

export function pushInboundJob(ctx: AppContext): JobDefinition<{ messageId: string }> {
  return {
    name: PUSH_INBOUND_JOB,
    maxAttempts: 3,
    concurrency: 8,
    async handle({ messageId }, { log }) {
      const message = await ctx.db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst();
      if (!message) return;
      const userIds = await pushRecipients(ctx, message);
      const result = await sendPushToUsers(ctx, message.tenant_id, userIds, pushPayloadFor(message));
      log.debug({ messageId, ...result }, 'web push sent');
    },
  };
}

/** Registers the job on this context's queue and (once per process) the inbound hook. */
export function registerPushJobs(ctx: AppContext): void {
  ctx.queue.register(pushInboundJob(ctx));
  if (hookRegistered) return;
  hookRegistered = true;
  onInboundMessage(async (hookCtx, message) => {
    try {
      if (!(await hookCtx.hasPushSubscriptions.get(message.tenant_id))) return;
      await hookCtx.queue.enqueue(hookCtx.db, PUSH_INBOUND_JOB, { messageId: message.id }, { tenantId: message.tenant_id });
      hookCtx.queue.wake();
    } catch (error) {
      // Best effort: a push problem must never make inbound processing retry.
      hookCtx.log.warn({ err: error, messageId: message.id }, 'could not queue the web push notification');
    }
  });
}
