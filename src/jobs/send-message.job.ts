/**
 * message.send: hands one queued message to its provider. Transient provider errors retry with
 * backoff (or the provider's Retry-After); permanent ones end the message `failed` with the
 * provider's code and reason. Idempotent: a message that already has a provider id is done.
 */
import type { AppContext } from '../context.js';
import type { MessageTable } from '../db/schema.js';
import { now } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import { messageById } from '../services/message-rows.js';
import { ProviderError } from '../providers/core/errors.js';
import { FINAL_STATUSES, type SendResult, type StatusUpdate } from '../providers/core/types.js';
import { applyStatus, lockProviderMessage, recordStatus } from '../services/message-status.js';
import { applyStatusUpdate } from '../services/ingest-webhook.js';
import { SEND_MESSAGE_JOB } from '../services/send-message.js';
import { recordCarrierOptOut } from '../services/routing/opt-outs.js';
import { backoffMs, RetryLater, type JobDefinition } from './queue.js';
import { paceDispatch } from './dispatch-pacer.js';

const setProviderId = prepared<{ id: string; providerMessageId: string }>()((db, p) => db.updateTable('messages').set({ provider_message_id: p.providerMessageId }).where('id', '=', p.id));
const earlyReceipts = prepared<{ accountId: string; providerMessageId: string }>()((db, p) =>
  db.selectFrom('pending_status').selectAll().where('provider_account_id', '=', p.accountId).where('provider_message_id', '=', p.providerMessageId).orderBy('id'),
);
const INTERRUPTED = Symbol('interrupted');
const STALE = Symbol('stale');
const startDispatch = prepared<{ messageId: string; at: string }>()((db, p) =>
  db.insertInto('send_dispatches').values({ message_id: p.messageId, started_at: p.at }).onConflict((oc) => oc.column('message_id').doNothing()),
);
const endDispatch = prepared<{ messageId: string }>()((db, p) => db.deleteFrom('send_dispatches').where('message_id', '=', p.messageId));

interface Payload {
  messageId: string;
}

export function sendMessageJob(ctx: AppContext): JobDefinition<Payload> {
  const publishStatus = (message: MessageTable) =>
    ctx.events.publish({
      type: 'message.status',
      tenantId: message.tenant_id,
      numberId: message.number_id,
      data: { id: message.id, conversationId: message.conversation_id, status: message.status, error: message.error_code ? { code: message.error_code, message: message.error_message } : null },
    });

  async function markFailed(message: MessageTable, code: string, reason: string): Promise<void> {
    const changed = await ctx.db.transaction().execute((trx) => applyStatus(trx, message, { status: 'failed', errorCode: code, errorMessage: reason, detail: `${code}: ${reason}` }));
    if (changed) publishStatus({ ...message, error_code: code, error_message: reason });
  }

  async function load(messageId: string) {
    return messageById(ctx.db, messageId);
  }

  return {
    name: SEND_MESSAGE_JOB,
    maxAttempts: 8,
    // Sends have the largest budget: nothing else a tenant does may delay them.
    concurrency: 48,
    handle({ messageId }, { attempt, log, handoff }) {
      // The row as accept committed it, on the job's first attempt on this node: not read again.
      // It is trusted only while the database still has it queued (see STALE below).
      const handedOver = (handoff as MessageTable | undefined)?.id === messageId ? { ...(handoff as MessageTable) } : undefined;
      return send(messageId, handedOver, attempt, log);
    },
    async onGiveUp({ messageId }, error) {
      if (error instanceof AcceptedButUnrecorded) return;
      const message = await load(messageId);
      if (!message || FINAL_STATUSES.has(message.status) || message.provider_message_id || message.status === 'sent') return;
      const cause = error instanceof RetryLater && error.cause instanceof ProviderError ? error.cause : error;
      const code = cause instanceof ProviderError ? cause.code : 'send_failed';
      await markFailed(message, code, `gave up after retries: ${(cause as Error)?.message ?? String(cause)}`);
    },
  };

  async function send(messageId: string, handedOver: MessageTable | undefined, attempt: number, log: import('pino').Logger): Promise<void> {
    const message = handedOver ?? (await load(messageId));
    // Done already: accepted (provider id or `sent` recorded), final, or its outcome is unknown
    // (the provider may have it; sending again could deliver it twice).
    if (!message || message.direction !== 'outbound' || message.provider_message_id || FINAL_STATUSES.has(message.status) || message.status === 'sent') return;
    if (message.error_code === OUTCOME_UNKNOWN) return;
    if (!message.provider_account_id) return markFailed(message, 'no_provider', 'the message has no provider account');
    const account = await ctx.accounts.find(message.tenant_id, message.provider_account_id);
    if (!account) return markFailed(message, 'no_provider', `provider account ${message.provider_account_id} was deleted`);
    const adapter = ctx.accounts.adapter(account);
    // Providers that deduplicate on our message id can always be asked again.
    const guardDispatch = !adapter.manifest.capabilities.idempotentSends;
    const media = message.media_count
      ? await ctx.db.selectFrom('media').select(['id', 'storage_key', 'source_url']).where('message_id', '=', message.id).orderBy('created_at').execute()
      : [];
    const number = message.number_id ? await ctx.numbers.get(message.number_id) : undefined;
    await paceDispatch(message.number_id, number?.mps ?? adapter.manifest.capabilities.defaultMps);
    // `sending` and the dispatch mark commit together, right before the request, in the write
    // batcher's group commit: concurrent sends share one commit (end to end 468 → 511 msg/s,
    // 2.09 → 1.86 ms CPU per message once checkpoints left the main thread).
    const sending = await ctx.writes.run(async (trx) => {
      const draft = { ...message };
      const moved = message.status === 'queued' && (await applyStatus(trx, draft, { status: 'sending', detail: attempt > 1 ? `attempt ${attempt}` : null }));
      // The handed-over row is not the database's any more (changed or deleted since): nothing written.
      if (handedOver && !moved) return STALE;
      // A mark left by an earlier attempt: that attempt stopped (the process ended) while handing
      // the message over. (Never with a row still queued: `sending` commits with the mark.)
      if (guardDispatch && Number((await startDispatch.execute(trx, { messageId: message.id, at: now() })).numAffectedRows ?? 0) === 0) return INTERRUPTED;
      return moved ? draft : null;
    });
    if (sending === STALE) return send(messageId, undefined, attempt, log);
    if (sending === INTERRUPTED) {
      await recordUnknownOutcome(message, 'an earlier attempt stopped (the process ended) while handing the message to the provider');
      return;
    }
    if (sending) {
      message.status = sending.status;
      publishStatus(message);
    }
    let result;
    try {
      result = await adapter.send({
        id: message.id,
        from: message.from_number,
        to: JSON.parse(message.to_numbers) as string[],
        body: message.body,
        mediaUrls: media.map((m) => (m.storage_key ? ctx.media.signedUrl(m.id) : m.source_url!)),
        statusCallbackUrl: ctx.accounts.webhookUrl(account),
      });
    } catch (error) {
      if (error instanceof ProviderError) {
        if (error.kind === 'outcome_unknown') {
          if (!guardDispatch) throw new RetryLater(backoffMs(attempt), error.message, { cause: error });
          await recordUnknownOutcome(message, error.message);
          return;
        }
        // The provider answered that it did not take the message: trying again sends it once.
        if (guardDispatch) await endDispatch.execute(ctx.db, { messageId: message.id });
        if (error.retryable) {
          log.info({ provider: account.type, code: error.code }, 'provider send failed, will retry');
          throw new RetryLater(error.details.retryAfterMs ?? backoffMs(attempt), error.message, { cause: error });
        }
        // The recipient unsubscribed at the carrier (e.g. Twilio 21610): refuse later sends up front (F27).
        if (error.kind === 'opted_out') await recordCarrierOptOut(ctx, message, error.code);
        return markFailed(message, error.code, error.message);
      }
      throw error;
    }
    const updated = await recordAccepted(message, account.id, result);
    if (updated) publishStatus(updated);
  }

  /** Visible on the message (error and history) and never retried automatically; a person may re-send it. */
  async function recordUnknownOutcome(message: MessageTable, reason: string): Promise<void> {
    const detail = `${OUTCOME_UNKNOWN}: ${reason}; not sent again automatically to avoid a duplicate`;
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('messages').set({ error_code: OUTCOME_UNKNOWN, error_message: detail }).where('id', '=', message.id).execute();
      await recordStatus(trx, message, message.status === 'queued' ? 'sending' : message.status, now(), detail);
    });
    publishStatus({ ...message, error_code: OUTCOME_UNKNOWN, error_message: detail });
  }

  /**
   * Records the provider's acceptance. Once a provider has accepted, nothing on our side may send
   * the message again: a failing write is retried here, a clash on the provider id (a carrier
   * reusing ids) is recorded without the id, and if the database stays unwritable the job is
   * buried rather than retried.
   */
  async function recordAccepted(message: MessageTable, accountId: string, result: SendResult): Promise<MessageTable | null> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      try {
        return await writeAccepted(message, accountId, result);
      } catch (error) {
        lastError = error;
        if (isUniqueViolation(error)) return writeAcceptedWithoutId(message, result, error);
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
    try {
      return await writeAcceptedWithoutId(message, result, lastError);
    } catch (error) {
      throw new AcceptedButUnrecorded(result.providerMessageId, error);
    }
  }

  async function writeAcceptedWithoutId(message: MessageTable, result: SendResult, cause: unknown): Promise<MessageTable> {
    const detail = `accepted by provider as ${result.providerMessageId}, but the id could not be recorded (${(cause as Error)?.message ?? String(cause)}); receipts for it cannot be matched`;
    ctx.log.error({ messageId: message.id, providerMessageId: result.providerMessageId, err: cause }, 'provider accepted a message whose id could not be recorded');
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('messages').set({ error_code: 'provider_id_unrecorded', error_message: detail.slice(0, 1000) }).where('id', '=', message.id).execute();
      const fresh = await trx.selectFrom('messages').select(['id', 'tenant_id', 'status']).where('id', '=', message.id).executeTakeFirstOrThrow();
      if (!(await applyStatus(trx, fresh, { status: 'sent', detail: detail.slice(0, 1000) }))) await recordStatus(trx, message, fresh.status, now(), detail.slice(0, 1000));
      message.status = fresh.status;
    });
    return { ...message, error_code: 'provider_id_unrecorded', error_message: detail };
  }

  /**
   * Each try (recordAccepted tries again after a failed write) works on its own copy of the
   * message, so a rolled-back try leaves nothing behind in memory either.
   */
  async function writeAccepted(message: MessageTable, accountId: string, result: SendResult): Promise<MessageTable> {
    const updated = await ctx.writes.run(async (trx) => {
      const draft = { ...message };
      await lockProviderMessage(trx, ctx.store.dialect, accountId, result.providerMessageId);
      await setProviderId.execute(trx, { id: draft.id, providerMessageId: result.providerMessageId });
      await endDispatch.execute(trx, { messageId: draft.id });
      draft.provider_message_id = result.providerMessageId;
      if (result.status && result.status !== 'queued') await applyStatus(trx, draft, { status: result.status, detail: 'accepted by provider' });
      // Receipts that overtook us are applied now, in arrival order.
      const early = await earlyReceipts.rows(trx, { accountId, providerMessageId: result.providerMessageId });
      for (const row of early) await applyStatusUpdate(trx, draft, JSON.parse(row.payload) as StatusUpdate);
      if (early.length) await trx.deleteFrom('pending_status').where('id', 'in', early.map((row) => row.id)).execute();
      return draft;
    });
    Object.assign(message, updated);
    return message;
  }
}

export const OUTCOME_UNKNOWN = 'outcome_unknown';

/** The provider accepted, and the database refused every way of recording it: bury, never resend. */
class AcceptedButUnrecorded extends Error {
  readonly retryable = false;
  constructor(providerMessageId: string, cause: unknown) {
    super(`provider accepted the message as ${providerMessageId} but it could not be recorded: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'AcceptedButUnrecorded';
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

