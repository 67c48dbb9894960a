/**
 * Internal messages (F13): POST /messages from the sender's extension to another extension
 * ("1001" → "1002"). No provider is involved: the message is stored delivered at once, with its
 * history, in the internal thread of those extensions, and announced live to the recipients.
 */
import type { AppContext } from '../../context.js';
import { now } from '../../db/client.js';
import type { MessageTable } from '../../db/schema.js';
import { AppError, forbidden } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import { countSegments } from '../../lib/segments.js';
import { INTERNAL_NUMBER } from '../access.js';
import { findOrCreateConversation, touchConversation } from '../conversations.js';
import { recordStatus } from '../message-status.js';
import { resolveMedia, type SendInput } from '../send-message.js';

const EXTENSION = /^[0-9]{2,8}$/;

export function isExtension(value: string): boolean {
  return EXTENSION.test(value.trim());
}

/** Stored media of internal messages: the same limits as an MMS. */
const INTERNAL_CAPABILITIES = { mms: true, maxMediaCount: 10, maxMediaBytes: 5 * 1024 * 1024 };

export async function acceptInternalMessage(ctx: AppContext, input: SendInput): Promise<MessageTable> {
  const from = input.from.trim();
  const list = (Array.isArray(input.to) ? input.to : [input.to]).map((to) => to.trim());
  if (list.length === 0) throw new AppError('validation_error', 'to must name at least one extension');
  const notExtension = list.find((to) => !isExtension(to));
  if (notExtension !== undefined) {
    throw new AppError('validation_error', `to "${notExtension}" is not an extension; an internal message goes from an extension to extensions, and an SMS needs one of your numbers as from`);
  }
  if (input.sendAt !== undefined) throw new AppError('validation_error', 'sendAt is not supported for internal messages; they are delivered at once');
  const recipients = [...new Set(list)].filter((to) => to !== from);
  if (recipients.length === 0) throw new AppError('validation_error', 'an internal message needs a recipient other than the sender');

  const users = await ctx.db.selectFrom('users').select(['id', 'extension']).where('tenant_id', '=', input.tenantId).where('extension', 'in', [from, ...recipients]).execute();
  const byExtension = new Map(users.map((user) => [user.extension!, user.id]));
  const sender = byExtension.get(from);
  if (!sender) throw new AppError('unknown_extension', `from "${from}" is not the extension of a user of this tenant`);
  const auth = input.auth;
  if (auth && auth.via === 'session' && auth.userId !== sender) {
    throw forbidden('extension_not_allowed', `you can send internal messages only from your own extension, not from ${from}`);
  }
  const missing = recipients.find((to) => !byExtension.has(to));
  if (missing) throw new AppError('unknown_extension', `to "${missing}" is not the extension of a user of this tenant`);

  const body = input.body ?? '';
  const mediaInput = input.media ?? [];
  if (body.length === 0 && mediaInput.length === 0) throw new AppError('validation_error', 'a message needs a body or media');
  const media = await resolveMedia(ctx, input.tenantId, mediaInput, 'internal messaging', INTERNAL_CAPABILITIES);

  const { encoding, segments } = countSegments(body);
  const at = now();
  const id = newId('msg');
  const row: MessageTable = {
    id,
    tenant_id: input.tenantId,
    conversation_id: '',
    number_id: null,
    direction: 'outbound',
    from_number: from,
    to_numbers: JSON.stringify(recipients),
    body,
    encoding,
    segments,
    status: 'delivered',
    provider_account_id: null,
    provider_type: null,
    provider_message_id: null,
    error_code: null,
    error_message: null,
    idempotency_key: input.idempotencyKey ?? null,
    send_at: null,
    created_at: at,
    sent_at: at,
    delivered_at: at,
    read_at: null,
    created_by: input.userId ?? sender,
    media_count: media.length,
  };
  try {
    await ctx.db.transaction().execute(async (trx) => {
      row.conversation_id = await findOrCreateConversation(trx, { tenantId: input.tenantId, numberId: null, ourNumber: INTERNAL_NUMBER, remotes: [from, ...recipients] });
      await trx.insertInto('messages').values(row).execute();
      await touchConversation(trx, row.conversation_id, id, at, true);
      await recordStatus(trx, row, 'sent', at, `internal message from extension ${from}`);
      await recordStatus(trx, row, 'delivered', at, `delivered to extension${recipients.length > 1 ? 's' : ''} ${recipients.join(', ')}`);
      for (const item of media) {
        await trx.insertInto('media').values({ ...item, id: newId('med'), tenant_id: input.tenantId, message_id: id, created_at: at }).execute();
      }
    });
  } catch (error) {
    if (input.idempotencyKey) {
      const existing = await ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', input.tenantId).where('idempotency_key', '=', input.idempotencyKey).executeTakeFirst();
      if (existing) return existing;
    }
    throw error;
  }
  const recipientIds = recipients.map((to) => byExtension.get(to)!);
  const data = { id, conversationId: row.conversation_id, from, to: recipients, body, internal: true };
  ctx.events.publish({ type: 'message.received', tenantId: input.tenantId, userIds: recipientIds, data });
  ctx.events.publish({ type: 'message.created', tenantId: input.tenantId, userIds: [sender], data: { id, conversationId: row.conversation_id, status: 'delivered' } });
  ctx.events.publish({ type: 'conversation.updated', tenantId: input.tenantId, userIds: [sender, ...recipientIds], data: { id: row.conversation_id } });
  return row;
}
