/**
 * POST /messages: validate, compute encoding and segments, store the message and its send job
 * in one transaction, answer 202. The job (jobs/send-message.job.ts) talks to the provider.
 */
import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { Auth } from '../plugins/auth.js';
import type { Database, MessageTable } from '../db/schema.js';
import { now } from '../db/client.js';
import { AppError } from '../errors.js';
import { newId } from '../lib/ids.js';
import { isSenderId, requireE164, toE164 } from '../lib/phone.js';
import { countSegments } from '../lib/segments.js';
import { carriesDestination, destinationWords } from '../providers/core/destinations.js';
import type { DestinationScope } from '../providers/core/types.js';
import { findOrCreateConversation, touchConversation } from './conversations.js';
import { insertMessage, messageHandoff } from './message-rows.js';
import { recordStatus } from './message-status.js';
import { acceptInternalMessage, isExtension } from './routing/internal-message.js';
import { tenantDefaultCountry } from './tenant-settings.js';
import { prepared } from '../db/prepared.js';
import { numberOfTenantByE164, type NumberRow } from './number-rows.js';

export const SEND_MESSAGE_JOB = 'message.send';

export interface SendInput {
  tenantId: string;
  userId?: string | null;
  /** Who sends when no user does, stored as the message's sender: a workflow id or a SYSTEM_SENDER marker (API keys come from auth). */
  createdBy?: string;
  from: string;
  to: string | string[];
  body?: string;
  media?: Array<{ url?: string; id?: string }>;
  sendAt?: string;
  idempotencyKey?: string;
  /** The caller, for permission guards; absent for system sends (notifications, auto-replies). */
  auth?: Auth;
  /** A STOP/START/HELP answer (F27): sent even though the recipient has just opted out. */
  complianceReply?: boolean;
  /** Extra writes in the message's own transaction (case and document links: services/compose-outbound.ts). */
  afterInsert?: (trx: Transaction<Database>, row: MessageTable) => Promise<void>;
}

export interface SendValidation {
  number: NumberRow;
  recipients: string[];
}

/** Hooks that may refuse a send before it is stored (permissions, opt-outs: F15–F17, F27). */
export type SendGuard = (ctx: AppContext, input: SendInput, resolved: SendValidation) => Promise<void>;
const guards: SendGuard[] = [];
export function addSendGuard(guard: SendGuard): void {
  guards.push(guard);
}

export async function findSendingNumber(ctx: AppContext, tenantId: string, from: string): Promise<NumberRow> {
  const candidates = new Set([from.trim(), toE164(from, ctx.config.defaultCountry)].filter((v): v is string => Boolean(v)));
  let number: NumberRow | undefined;
  for (const candidate of candidates) {
    number = await numberOfTenantByE164(ctx, tenantId, candidate);
    if (number) break;
  }
  if (!number) {
    throw new AppError('from_not_owned', `from "${from}" is not a number of this tenant; add it under numbers first`, { statusCode: 403 });
  }
  return number;
}

export function recipientsOf(input: SendInput, defaultCountry: string | null): string[] {
  const list = Array.isArray(input.to) ? input.to : [input.to];
  if (list.length === 0) throw new AppError('validation_error', 'to must name at least one recipient');
  if (list.length > 10) throw new AppError('validation_error', `to has ${list.length} recipients; a group message allows at most 10`);
  return [...new Set(list.map((to, index) => requireE164(Array.isArray(input.to) ? `to[${index}]` : 'to', to, defaultCountry)))];
}

export async function acceptMessage(ctx: AppContext, input: SendInput): Promise<MessageTable> {
  if (input.idempotencyKey) {
    const existing = await ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', input.tenantId).where('idempotency_key', '=', input.idempotencyKey).executeTakeFirst();
    if (existing) return existing;
  }
  // F13: extension → extension stays inside Switchboard (services/routing/internal-message.ts).
  if (isExtension(input.from)) return acceptInternalMessage(ctx, input);
  const number = await findSendingNumber(ctx, input.tenantId, input.from);
  const recipients = recipientsOf(input, await tenantDefaultCountry(ctx, input.tenantId, number.default_country));
  const body = input.body ?? '';
  const mediaInput = input.media ?? [];
  if (body.length === 0 && mediaInput.length === 0) throw new AppError('validation_error', 'a message needs a body or media');

  const account = await ctx.accounts.get(input.tenantId, number.provider_account_id);
  const capabilities = ctx.accounts.capabilities(account);
  if (recipients.length > 1 && !capabilities.groupMms) {
    throw new AppError('group_mms_unsupported', `${recipients.length} recipients make a group message, which ${account.type} cannot send; send one message per recipient or use a number on a carrier with group MMS`);
  }
  refuseUnreachableRecipients(recipients, account.type, capabilities.destinations);
  if (body.length > capabilities.maxBodyLength) {
    throw new AppError('body_too_long', `body is ${body.length} characters; ${account.type} accepts at most ${capabilities.maxBodyLength}`);
  }
  if (isSenderId(number.number) && !capabilities.senderId) {
    throw new AppError('validation_error', `${account.type} does not allow alphanumeric sender IDs such as "${number.number}"`);
  }
  if (recipients.length > 1 && mediaInput.length === 0) {
    throw new AppError('validation_error', 'a message to several recipients is a group MMS and needs media; send one message per recipient instead');
  }
  const media = await resolveMedia(ctx, input.tenantId, mediaInput, account.type, capabilities);

  let sendAt: string | null = null;
  if (input.sendAt !== undefined) {
    const parsed = Date.parse(input.sendAt);
    if (Number.isNaN(parsed)) throw new AppError('validation_error', `sendAt "${input.sendAt}" is not an ISO 8601 date-time`);
    if (parsed > Date.now()) sendAt = new Date(parsed).toISOString();
  }
  for (const guard of guards) await guard(ctx, input, { number, recipients });

  const { encoding, segments } = countSegments(body);
  const at = now();
  const id = newId('msg');
  const row: MessageTable = {
    id,
    tenant_id: input.tenantId,
    conversation_id: '',
    number_id: number.id,
    direction: 'outbound',
    from_number: number.number,
    to_numbers: JSON.stringify(recipients),
    body,
    encoding,
    segments,
    status: 'queued',
    provider_account_id: account.id,
    provider_type: account.type,
    provider_message_id: null,
    error_code: null,
    error_message: null,
    idempotency_key: input.idempotencyKey ?? null,
    send_at: sendAt,
    created_at: at,
    sent_at: null,
    delivered_at: null,
    read_at: null,
    created_by: senderOf(input),
    media_count: media.length,
  };
  try {
    await ctx.writes.run(async (trx) => {
      row.conversation_id = await findOrCreateConversation(trx, { tenantId: input.tenantId, numberId: number.id, ourNumber: number.number, remotes: recipients });
      await insertMessage(trx, row);
      await input.afterInsert?.(trx, row);
      await touchConversation(trx, row.conversation_id, id, at, false);
      await recordStatus(trx, row, 'queued', at, sendAt ? `scheduled for ${sendAt}` : null);
      for (const item of media) {
        await trx.insertInto('media').values({ ...item, id: newId('med'), tenant_id: input.tenantId, message_id: id, created_at: at }).execute();
      }
      const slot = await reserveSendSlot(ctx, trx, number, capabilities.defaultMps, sendAt);
      // The send job takes the row from here instead of reading it back (a scheduled one reads it when due).
      await ctx.queue.enqueue(trx, SEND_MESSAGE_JOB, { messageId: id }, { runAt: slot, tenantId: input.tenantId, ...(sendAt ? {} : messageHandoff(row)) });
    });
  } catch (error) {
    // Two requests with the same Idempotency-Key raced: the loser answers with the winner's message.
    if (input.idempotencyKey) {
      const existing = await ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', input.tenantId).where('idempotency_key', '=', input.idempotencyKey).executeTakeFirst();
      if (existing) return existing;
    }
    throw error;
  }
  ctx.queue.wake();
  ctx.events.publish({ type: 'message.created', tenantId: input.tenantId, numberId: number.id, data: { id, conversationId: row.conversation_id, status: 'queued' } });
  return row;
}

/** A carrier limited to some countries (NANP-only ones) is not given a recipient it would refuse at send time. */
function refuseUnreachableRecipients(recipients: string[], provider: string, scope: DestinationScope | undefined): void {
  if (scope === undefined) return;
  const outside = recipients.find((e164) => !carriesDestination(scope, e164));
  if (outside === undefined) return;
  throw new AppError('destination_unsupported', `to "${outside}" is outside the countries ${provider} carries (${destinationWords(scope)}); send it from a number on a carrier that reaches it`);
}

/** The id stored in messages.created_by: the user, else the API key that called, else what the caller names. */
export function senderOf(input: SendInput): string | null {
  return input.userId ?? (input.auth?.via === 'apikey' ? input.auth.apiKeyId : null) ?? input.createdBy ?? null;
}

export type MediaValues = { content_type: string; size: number; storage_key: string | null; source_url: string | null; status: 'stored' | 'remote' };

export async function resolveMedia(
  ctx: AppContext,
  tenantId: string,
  items: Array<{ url?: string; id?: string }>,
  provider: string,
  capabilities: { mms: boolean; maxMediaCount: number; maxMediaBytes: number },
): Promise<MediaValues[]> {
  if (items.length === 0) return [];
  if (!capabilities.mms) throw new AppError('mms_unsupported', `${provider} does not send MMS (media) from this account; remove the media or use a number on an MMS provider`);
  if (items.length > capabilities.maxMediaCount) throw new AppError('too_many_media', `${items.length} media items; ${provider} accepts at most ${capabilities.maxMediaCount} per message`);
  const resolved: MediaValues[] = [];
  let total = 0;
  for (const [index, item] of items.entries()) {
    if (item.id) {
      const row = await ctx.db.selectFrom('media').selectAll().where('tenant_id', '=', tenantId).where('id', '=', item.id).executeTakeFirst();
      if (!row || !row.storage_key) throw new AppError('invalid_media', `media[${index}].id "${item.id}" is not an uploaded file of this tenant`);
      total += row.size;
      resolved.push({ content_type: row.content_type, size: row.size, storage_key: row.storage_key, source_url: null, status: 'stored' });
    } else if (item.url) {
      let url: URL;
      try {
        url = new URL(item.url);
      } catch {
        throw new AppError('invalid_media', `media[${index}].url "${item.url}" is not a URL`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError('invalid_media', `media[${index}].url must be http(s)`);
      resolved.push({ content_type: guessContentType(url.pathname), size: 0, storage_key: null, source_url: item.url, status: 'remote' });
    } else {
      throw new AppError('invalid_media', `media[${index}] needs a url or an id`);
    }
  }
  if (total > capabilities.maxMediaBytes) throw new AppError('media_too_large', `uploaded media total ${total} bytes; ${provider} accepts at most ${capabilities.maxMediaBytes} per message`);
  return resolved;
}

function guessContentType(pathname: string): string {
  const ext = pathname.split('.').pop()?.toLowerCase();
  const types: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', mp4: 'video/mp4', pdf: 'application/pdf', vcf: 'text/vcard', mp3: 'audio/mpeg' };
  return (ext && types[ext]) || 'application/octet-stream';
}

const sendSlot = prepared<{ id: string }>()((db, p) => db.selectFrom('numbers').select('next_send_at').where('id', '=', p.id));
// PostgreSQL: concurrent sends from one number on several nodes take their slots one at a time.
const sendSlotLocked = prepared<{ id: string }>()((db, p) => db.selectFrom('numbers').select('next_send_at').where('id', '=', p.id).forUpdate());
const takeSendSlot = prepared<{ id: string; next: string }>()((db, p) => db.updateTable('numbers').set({ next_send_at: p.next }).where('id', '=', p.id));

/**
 * Per-number pacing (F3): each send takes the number's next free slot, 1/mps seconds after the
 * previous one. Slots live in the numbers row, so every node paces against the same clock.
 */
export async function reserveSendSlot(ctx: AppContext, trx: Transaction<Database>, number: NumberRow, defaultMps: number, notBefore: string | null): Promise<string> {
  const mps = number.mps ?? defaultMps;
  const earliest = Math.max(Date.now(), notBefore ? Date.parse(notBefore) : 0);
  // Scheduled sends are not paced ahead of time: pushing the slot into the future would hold
  // back every immediate send from the same number.
  if (!mps || mps <= 0 || earliest > Date.now() + 1000) return new Date(earliest).toISOString();
  const current = await (ctx.store.dialect === 'postgres' ? sendSlotLocked : sendSlot).first(trx, { id: number.id });
  const slot = Math.max(earliest, current?.next_send_at ? Date.parse(current.next_send_at) : 0);
  await takeSendSlot.execute(trx, { id: number.id, next: new Date(slot + 1000 / mps).toISOString() });
  return new Date(slot).toISOString();
}
