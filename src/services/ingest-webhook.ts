/**
 * Provider webhook → verify → parse → one transaction (idempotent insert keyed on provider
 * account + provider message id, status history, follow-up job, diagnostics row) → commit → 2xx.
 * Everything slow (media download, routing, events) runs afterwards from the durable job.
 */
import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database, MessageTable, ProviderAccountTable } from '../db/schema.js';
import { now } from '../db/client.js';
import { newId } from '../lib/ids.js';
import { safeEqual } from '../lib/crypto.js';
import { toE164 } from '../lib/phone.js';
import { countSegments } from '../lib/segments.js';
import { MalformedWebhookError, WebhookAuthError } from '../providers/core/errors.js';
import { providerModule } from '../providers/core/registry.js';
import type { InboundMessage, StatusUpdate, WebhookRequest } from '../providers/core/types.js';
import { findOrCreateConversation, touchConversation } from './conversations.js';
import { applyStatus, lockProviderMessage, recordStatus } from './message-status.js';
import { recordCarrierOptOut } from './routing/opt-outs.js';

export type WebhookVerdict = 'accepted' | 'duplicate' | 'refused';

export interface WebhookOutcome {
  httpStatus: number;
  verdict: WebhookVerdict;
  reason: string | null;
  contentType: string;
  body: string;
  /** Ids of inbound messages stored by this request (new ones only). */
  messageIds: string[];
}

export const PROCESS_INBOUND_JOB = 'inbound.process';

interface Refusal {
  status: number;
  code: string;
  message: string;
}

const refuse = (status: number, code: string, message: string): Refusal => ({ status, code, message });

export async function ingestWebhook(
  ctx: AppContext,
  input: { type: string; accountId?: string; request: WebhookRequest; remoteIp: string | null },
): Promise<WebhookOutcome> {
  const { request } = input;
  const logRow = { provider_type: input.type.slice(0, 40), method: request.method, url: request.url.slice(0, 500), remote_ip: input.remoteIp, created_at: now() };
  const refused = async (refusal: Refusal, account?: ProviderAccountTable): Promise<WebhookOutcome> => {
    await ctx.db
      .insertInto('webhook_log')
      .values({ ...logRow, tenant_id: account?.tenant_id ?? null, provider_account_id: account?.id ?? null, verdict: 'refused', reason: `${refusal.code}: ${refusal.message}`, http_status: refusal.status })
      .execute();
    ctx.log.warn({ provider: input.type, accountId: account?.id, reason: refusal.code, detail: refusal.message }, 'webhook refused');
    return { httpStatus: refusal.status, verdict: 'refused', reason: refusal.code, contentType: 'application/json', body: JSON.stringify({ error: { code: refusal.code, message: refusal.message } }), messageIds: [] };
  };

  if (!providerModule(input.type)) return refused(refuse(404, 'unknown_account', `there is no provider type "${input.type}"`));
  const account = await ctx.accounts.findForWebhook(input.type, input.accountId);
  if (!account) {
    return refused(refuse(404, 'unknown_account', input.accountId ? `no ${input.type} account ${input.accountId}` : `no ${input.type} account is configured from the environment`));
  }
  const adapter = ctx.accounts.adapter(account);
  if (!adapter.manifest.capabilities.signedWebhooks && !safeEqual(request.query.token ?? '', account.webhook_token)) {
    return refused(refuse(403, 'bad_signature', 'the webhook URL token is missing or wrong; copy the URL shown for this account'), account);
  }
  try {
    await adapter.verifyWebhook(request);
  } catch (error) {
    if (error instanceof WebhookAuthError) {
      return refused(refuse(403, error.reason === 'stale_signature' ? 'stale_signature' : 'bad_signature', error.message), account);
    }
    throw error;
  }
  let parsed;
  try {
    parsed = adapter.parseWebhook(request);
  } catch (error) {
    if (error instanceof MalformedWebhookError) return refused(refuse(400, 'malformed', error.message), account);
    throw error;
  }

  const numbers = await resolveNumbers(ctx, account, parsed.inbound);
  if (parsed.inbound.length > 0 && numbers.size === 0) {
    const to = parsed.inbound.flatMap((m) => m.to).join(', ');
    return refused(refuse(404, 'unknown_number', `${to} is not a number of ${input.type} account ${account.id}`), account);
  }

  const stored = await ctx.writes.run(async (trx) => {
    const messageIds: string[] = [];
    let duplicates = 0;
    for (const inbound of parsed.inbound) {
      const number = inbound.to.map((to) => numbers.get(normalise(to))).find(Boolean);
      if (!number) continue;
      const id = await storeInbound(ctx, trx, account, number, inbound);
      if (id) messageIds.push(id);
      else duplicates += 1;
    }
    const statusMessages: MessageTable[] = [];
    const optedOut: Array<{ message: MessageTable; code: string }> = [];
    for (const update of parsed.statuses) {
      const result = await storeStatus(ctx, trx, account, update);
      if (result === 'duplicate') duplicates += 1;
      else if (result) {
        statusMessages.push(result);
        if (update.optedOut) optedOut.push({ message: result, code: update.errorCode ?? 'opted_out' });
      }
    }
    const changed = messageIds.length + statusMessages.length;
    const verdict: WebhookVerdict = changed === 0 && duplicates > 0 ? 'duplicate' : 'accepted';
    await trx
      .insertInto('webhook_log')
      .values({ ...logRow, tenant_id: account.tenant_id, provider_account_id: account.id, verdict, reason: null, http_status: 200 })
      .execute();
    return { messageIds, statusMessages, optedOut, verdict };
  });

  if (stored.messageIds.length > 0) ctx.queue.wake();
  // A receipt saying the recipient opted out at the carrier stops later sends up front (F27).
  for (const { message, code } of stored.optedOut) await recordCarrierOptOut(ctx, message, code);
  for (const message of stored.statusMessages) {
    ctx.events.publish({
      type: 'message.status',
      tenantId: message.tenant_id,
      numberId: message.number_id,
      data: { id: message.id, conversationId: message.conversation_id, status: message.status, error: message.error_code ? { code: message.error_code, message: message.error_message } : null },
    });
  }
  const reply = adapter.webhookReply();
  return { httpStatus: 200, verdict: stored.verdict, reason: null, contentType: reply.contentType, body: reply.body, messageIds: stored.messageIds };
}

function normalise(value: string): string {
  return toE164(value) ?? value.trim();
}

async function resolveNumbers(ctx: AppContext, account: ProviderAccountTable, inbound: InboundMessage[]) {
  const wanted = [...new Set(inbound.flatMap((m) => m.to.map(normalise)))];
  const found = new Map<string, { id: string; number: string }>();
  if (wanted.length === 0) return found;
  const rows = await ctx.db
    .selectFrom('numbers')
    .select(['id', 'number'])
    .where('provider_account_id', '=', account.id)
    .where('number', 'in', wanted)
    .execute();
  for (const row of rows) found.set(row.number, row);
  return found;
}

/** Inserts one inbound message; returns its id, or null when the provider already sent it. */
async function storeInbound(ctx: AppContext, trx: Transaction<Database>, account: ProviderAccountTable, number: { id: string; number: string }, inbound: InboundMessage): Promise<string | null> {
  const at = now();
  const from = normalise(inbound.from);
  const others = inbound.to.map(normalise).filter((to) => to !== number.number);
  const id = newId('msg');
  const { encoding, segments } = countSegments(inbound.body);
  // Group MMS: the conversation is with the sender and every other recipient. For a provider's
  // retry the conversation already exists, so this creates nothing twice.
  const conversationId = await findOrCreateConversation(trx, { tenantId: account.tenant_id, numberId: number.id, ourNumber: number.number, remotes: [from, ...others] });
  const inserted = await trx
    .insertInto('messages')
    .values({
      id,
      tenant_id: account.tenant_id,
      conversation_id: conversationId,
      number_id: number.id,
      direction: 'inbound',
      from_number: from,
      to_numbers: JSON.stringify([number.number, ...others]),
      body: inbound.body,
      encoding,
      segments,
      status: 'received',
      provider_account_id: account.id,
      provider_type: account.type,
      provider_message_id: inbound.providerMessageId,
      error_code: null,
      error_message: null,
      idempotency_key: null,
      send_at: null,
      created_at: inbound.receivedAt && !Number.isNaN(Date.parse(inbound.receivedAt)) ? new Date(inbound.receivedAt).toISOString() : at,
      sent_at: null,
      delivered_at: null,
      read_at: null,
      created_by: null,
      media_count: inbound.media.length,
    })
    .onConflict((oc) => oc.columns(['provider_account_id', 'provider_message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return null;
  await touchConversation(trx, conversationId, id, at, true);
  await recordStatus(trx, { id, tenant_id: account.tenant_id }, 'received', at);
  for (const media of inbound.media) {
    await trx
      .insertInto('media')
      .values({ id: newId('med'), tenant_id: account.tenant_id, message_id: id, content_type: media.contentType ?? 'application/octet-stream', size: 0, storage_key: null, source_url: media.url, status: 'pending', created_at: at })
      .execute();
  }
  await ctx.queue.enqueue(trx, PROCESS_INBOUND_JOB, { messageId: id });
  return id;
}

/**
 * Applies a delivery receipt. A receipt for a message whose send has not yet recorded the
 * provider's id is parked in pending_status and applied by the send job.
 */
async function storeStatus(ctx: AppContext, trx: Transaction<Database>, account: ProviderAccountTable, update: StatusUpdate): Promise<MessageTable | 'duplicate' | null> {
  await lockProviderMessage(trx, ctx.store.dialect, account.id, update.providerMessageId);
  const message = await trx
    .selectFrom('messages')
    .selectAll()
    .where('provider_account_id', '=', account.id)
    .where('provider_message_id', '=', update.providerMessageId)
    .executeTakeFirst();
  if (!message) {
    await trx
      .insertInto('pending_status')
      .values({ provider_account_id: account.id, provider_message_id: update.providerMessageId, payload: JSON.stringify(update), created_at: now() })
      .execute();
    return null;
  }
  const changed = await applyStatusUpdate(trx, message, update);
  return changed ? message : 'duplicate';
}

export async function applyStatusUpdate(trx: Transaction<Database>, message: MessageTable, update: StatusUpdate): Promise<boolean> {
  const detail = update.providerStatus !== update.status ? `provider status ${update.providerStatus}` : null;
  return applyStatus(trx, message, {
    status: update.status,
    at: update.at && !Number.isNaN(Date.parse(update.at)) ? new Date(update.at).toISOString() : undefined,
    detail: update.errorCode ? `${update.errorCode}: ${update.errorMessage ?? ''}`.trim() : detail,
    errorCode: update.errorCode,
    errorMessage: update.errorMessage,
  });
}
