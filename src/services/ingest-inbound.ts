/**
 * Storing what a carrier sent, whatever the transport (webhook POST, SMPP deliver_sm): once the
 * caller has established that it is authentic and parsed it, one transaction holds the idempotent
 * inserts (keyed on provider account + provider message id), status history, the follow-up job and
 * the diagnostics row. The caller acknowledges to the carrier only after this returns (commit).
 * Everything slow (media download, routing) runs afterwards from the durable job.
 */
import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database, MessageTable, ProviderAccountTable } from '../db/schema.js';
import { now } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import { newId } from '../lib/ids.js';
import { toE164 } from '../lib/phone.js';
import { countSegments } from '../lib/segments.js';
import type { InboundMessage, ParsedWebhook, StatusUpdate } from '../providers/core/types.js';
import { findOrCreateConversation, remoteKey, touchConversation } from './conversations.js';
import { insertInboundMessage, messageHandoff } from './message-rows.js';
import { receivingNumberKey, type ReceivingNumber } from './receiving-numbers.js';
import { applyStatus, lockProviderMessage, recordStatus } from './message-status.js';
import { recordCarrierOptOut } from './routing/opt-outs.js';
import { holdInboundPart } from './inbound-parts.js';
import { splitPartOf, type SplitInboundMessage } from '../providers/core/split-parts.js';

export const PROCESS_INBOUND_JOB = 'inbound.process';

export type InboundTransport = 'webhook' | 'smpp';
export type InboundVerdict = 'accepted' | 'duplicate';

/** What the diagnostics log records about the delivery (F34). */
export interface InboundDelivery {
  transport: InboundTransport;
  /** HTTP method, or the PDU name for SMPP (`deliver_sm`). */
  method: string;
  /** The URL called, or `smpp://host:port` of the session. */
  url: string;
  remoteIp: string | null;
  /** The acknowledgement the caller gives after commit (HTTP status; 0 for SMPP ESME_ROK). */
  ackStatus: number;
  /** Extra writes that must commit together with the message (e.g. consumed SMPP MO parts). */
  alsoInTransaction?: (trx: Transaction<Database>) => Promise<void>;
}

export type StoreInboundResult =
  | { kind: 'stored'; verdict: InboundVerdict; messageIds: string[] }
  /** Inbound messages to numbers this account does not have; nothing was stored. */
  | { kind: 'unknown_number'; to: string[] };

/** The diagnostics row of an accepted delivery (F34); refusals are logged by the transport. */
const insertDeliveryLog = prepared<{
  providerType: string;
  method: string;
  url: string;
  remoteIp: string | null;
  at: string;
  tenantId: string;
  accountId: string;
  verdict: InboundVerdict;
  httpStatus: number;
  transport: InboundTransport;
}>()((db, p) =>
  db.insertInto('webhook_log').values({
    provider_type: p.providerType,
    method: p.method,
    url: p.url,
    remote_ip: p.remoteIp,
    created_at: p.at,
    tenant_id: p.tenantId,
    provider_account_id: p.accountId,
    verdict: p.verdict,
    reason: null,
    http_status: p.httpStatus,
    transport: p.transport,
  }),
);

/**
 * What applying a receipt reads of its message: the status to move on, what the status event and
 * a carrier opt-out need. Not the whole row: its body and recipients cost more to read than the
 * lookup itself (select * 10.5 µs, these columns 4.5 µs).
 */
const RECEIPT_COLUMNS = ['id', 'tenant_id', 'status', 'number_id', 'conversation_id', 'error_code', 'error_message', 'to_numbers', 'provider_type'] as const;
type ReceiptTarget = Pick<MessageTable, (typeof RECEIPT_COLUMNS)[number]>;

const messageByProviderId = prepared<{ accountId: string; providerMessageId: string }>()((db, p) =>
  db.selectFrom('messages').select(RECEIPT_COLUMNS).where('provider_account_id', '=', p.accountId).where('provider_message_id', '=', p.providerMessageId),
);

export async function storeInbound(ctx: AppContext, account: ProviderAccountTable, parsed: ParsedWebhook, delivery: InboundDelivery): Promise<StoreInboundResult> {
  const numbers = await resolveNumbers(ctx, account, parsed.inbound);
  if (parsed.inbound.length > 0 && numbers.size === 0) return { kind: 'unknown_number', to: parsed.inbound.flatMap((m) => m.to) };

  const stored = await ctx.writes.run(async (trx) => {
    const messageIds: string[] = [];
    const announceNow: MessageTable[] = [];
    let duplicates = 0;
    let held = 0;
    for (const inbound of parsed.inbound) {
      const number = inbound.to.map((to) => numbers.get(normalise(to))).find(Boolean);
      if (!number) continue;
      // A part of a split message waits for its siblings; it counts as accepted once held.
      if (splitPartOf(inbound)) {
        if (await holdInboundPart(ctx, trx, account, number, inbound as SplitInboundMessage)) held += 1;
        else duplicates += 1;
        continue;
      }
      const inserted = await insertInbound(ctx, trx, account, number, inbound, { liveAtCommit: true });
      if (inserted) {
        messageIds.push(inserted.id);
        if (inserted.liveAtCommit) announceNow.push(inserted.message);
      } else duplicates += 1;
    }
    const statusMessages: ReceiptTarget[] = [];
    const optedOut: Array<{ message: ReceiptTarget; code: string }> = [];
    for (const update of parsed.statuses) {
      const result = await storeStatus(ctx, trx, account, update);
      if (result === 'duplicate') duplicates += 1;
      else if (result) {
        statusMessages.push(result);
        if (update.optedOut) optedOut.push({ message: result, code: update.errorCode ?? 'opted_out' });
      }
    }
    if (delivery.alsoInTransaction) await delivery.alsoInTransaction(trx);
    const changed = messageIds.length + statusMessages.length + held;
    const verdict: InboundVerdict = changed === 0 && duplicates > 0 ? 'duplicate' : 'accepted';
    await insertDeliveryLog.execute(trx, {
      providerType: account.type.slice(0, 40),
      method: delivery.method,
      url: delivery.url.slice(0, 500),
      remoteIp: delivery.remoteIp ?? null,
      at: now(),
      tenantId: account.tenant_id,
      accountId: account.id,
      verdict,
      httpStatus: delivery.ackStatus,
      transport: delivery.transport,
    });
    return { messageIds, announceNow, statusMessages, optedOut, verdict };
  });

  if (stored.messageIds.length > 0) ctx.queue.wake();
  for (const message of stored.announceNow) announceInbound(ctx, message, 'live');
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
  return { kind: 'stored', verdict: stored.verdict, messageIds: stored.messageIds };
}

function normalise(value: string): string {
  return toE164(value) ?? value.trim();
}

async function resolveNumbers(ctx: AppContext, account: ProviderAccountTable, inbound: InboundMessage[]) {
  const wanted = new Set(inbound.flatMap((m) => m.to.map(normalise)));
  const found = new Map<string, ReceivingNumber>();
  for (const to of wanted) {
    const number = await ctx.receivingNumbers.get(receivingNumberKey(account.id, to));
    if (number) found.set(number.number, number);
  }
  return found;
}

/** The payload of inbound.process: `liveAnnounced` when browsers were told at commit (a text without media). */
export interface ProcessInboundPayload {
  messageId: string;
  liveAnnounced?: boolean;
}

export interface InsertedInbound {
  id: string;
  message: MessageTable;
  /** The caller announces it to live subscribers right after commit; the job then only runs the sinks. */
  liveAtCommit: boolean;
}

/**
 * Tells live subscribers and durable sinks that an inbound message is here. Called once its media is
 * stored; a text without media reaches live subscribers at commit already (`only: 'live'`).
 */
export function announceInbound(ctx: AppContext, message: MessageTable, only?: 'live' | 'sinks'): void {
  ctx.events.publish({ type: 'message.received', tenantId: message.tenant_id, numberId: message.number_id, data: { id: message.id, conversationId: message.conversation_id, from: message.from_number, body: message.body } }, only);
  ctx.events.publish({ type: 'conversation.updated', tenantId: message.tenant_id, numberId: message.number_id, data: { id: message.conversation_id } }, only);
}

/**
 * Inserts one inbound message; null when the provider already sent it. With `liveAtCommit`, a
 * message without media is left for the caller to announce right after its commit.
 */
export async function insertInbound(
  ctx: AppContext,
  trx: Transaction<Database>,
  account: ProviderAccountTable,
  number: { id: string; number: string },
  inbound: InboundMessage,
  options: { liveAtCommit?: boolean } = {},
): Promise<InsertedInbound | null> {
  const at = now();
  const from = normalise(inbound.from);
  const others = inbound.to.map(normalise).filter((to) => to !== number.number);
  const id = newId('msg');
  const { encoding, segments } = countSegments(inbound.body);
  // Group MMS: the conversation is with the sender and every other recipient. For a provider's
  // retry the conversation already exists, so this creates nothing twice.
  const conversationId = await findOrCreateConversation(trx, { tenantId: account.tenant_id, numberId: number.id, ourNumber: number.number, remotes: [from, ...others] });
  const row: MessageTable = {
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
  };
  if (!(await insertInboundMessage(trx, row))) return null;
  await touchConversation(trx, conversationId, id, at, true);
  await recordStatus(trx, { id, tenant_id: account.tenant_id }, 'received', at);
  for (const media of inbound.media) {
    await trx
      .insertInto('media')
      .values({ id: newId('med'), tenant_id: account.tenant_id, message_id: id, content_type: media.contentType ?? 'application/octet-stream', size: 0, storage_key: null, source_url: media.url, status: 'pending', created_at: at })
      .execute();
  }
  const liveAtCommit = Boolean(options.liveAtCommit) && inbound.media.length === 0;
  const payload: ProcessInboundPayload = { messageId: id, liveAnnounced: liveAtCommit };
  await ctx.queue.enqueue(trx, PROCESS_INBOUND_JOB, payload, messageHandoff(row));
  return { id, message: row, liveAtCommit };
}

/**
 * Applies a delivery receipt. A receipt for a message whose send has not yet recorded the
 * provider's id is parked in pending_status and applied by the send job.
 */
async function storeStatus(ctx: AppContext, trx: Transaction<Database>, account: ProviderAccountTable, update: StatusUpdate): Promise<ReceiptTarget | 'duplicate' | null> {
  await lockProviderMessage(trx, ctx.store.dialect, account.id, update.providerMessageId);
  const message =
    (await messageByProviderId.first(trx, { accountId: account.id, providerMessageId: update.providerMessageId })) ??
    (update.match ? await findUnfinishedOutbound(trx, ctx.store.dialect, account, update.match) : undefined);
  // A receipt matched by numbers has no id to wait for: with no unfinished message it is a repeat.
  if (!message && update.match) return 'duplicate';
  if (!message) {
    await trx
      .insertInto('pending_status')
      .values({ provider_account_id: account.id, provider_message_id: update.providerMessageId, payload: JSON.stringify(update), created_at: now() })
      .execute();
    return null;
  }
  if (!(await applyStatusUpdate(trx, message, update))) return 'duplicate';
  // As the update wrote them: the status event carries the carrier's error.
  if (update.errorCode != null) message.error_code = update.errorCode;
  if (update.errorMessage != null) message.error_message = update.errorMessage;
  return message;
}

/** Receipts without the send's id (StatusUpdate.match) are only matched this long after the send. */
const MATCH_WINDOW_MS = 3 * 24 * 3600_000;

async function findUnfinishedOutbound(trx: Transaction<Database>, dialect: 'sqlite' | 'postgres', account: ProviderAccountTable, match: NonNullable<StatusUpdate['match']>): Promise<ReceiptTarget | undefined> {
  // Through the conversation (our number + that one recipient), so both lookups run on indexes.
  const conversation = await trx
    .selectFrom('conversations')
    .select('id')
    .where('tenant_id', '=', account.tenant_id)
    .where('our_number', '=', normalise(match.ourNumber))
    .where('remote_key', '=', remoteKey([normalise(match.remoteNumber)]))
    .executeTakeFirst();
  if (!conversation) return undefined;
  const query = trx
    .selectFrom('messages')
    .select(RECEIPT_COLUMNS)
    .where('conversation_id', '=', conversation.id)
    .where('provider_account_id', '=', account.id)
    .where('direction', '=', 'outbound')
    .where('status', 'in', ['sending', 'sent'])
    .where('created_at', '>', new Date(Date.now() - MATCH_WINDOW_MS).toISOString())
    .orderBy('created_at', 'desc')
    .limit(1);
  // No provider id to lock on (lockProviderMessage): wait on the row itself for a send job recording it.
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

export async function applyStatusUpdate(trx: Transaction<Database>, message: Pick<MessageTable, 'id' | 'tenant_id' | 'status'>, update: StatusUpdate): Promise<boolean> {
  const detail = update.providerStatus !== update.status ? `provider status ${update.providerStatus}` : null;
  return applyStatus(trx, message, {
    status: update.status,
    at: update.at && !Number.isNaN(Date.parse(update.at)) ? new Date(update.at).toISOString() : undefined,
    detail: update.errorCode ? `${update.errorCode}: ${update.errorMessage ?? ''}`.trim() : detail,
    errorCode: update.errorCode,
    errorMessage: update.errorMessage,
  });
}
