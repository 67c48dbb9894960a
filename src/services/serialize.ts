/** Rows → the API's shapes (SPEC §3). */
import type { Db } from '../db/client.js';
import type { Static } from '@sinclair/typebox';
import type { ConversationTable, MessageTable } from '../db/schema.js';
import type { ConversationShape, MessageShape } from '../lib/api-shapes.js';
import { effectiveStatus } from './inbox/conversation-status.js';
import type { MediaStore } from './media-store.js';
import { retriesOf } from './inbox/message-retries.js';
import { contactsOfConversations } from './routing/contacts.js';
import { sendersOf } from './inbox/message-senders.js';
import { labelsOfConversations } from './inbox/labels.js';

export type ApiMessage = Static<typeof MessageShape>;

export async function serializeMessages(db: Db, media: MediaStore, rows: MessageTable[]): Promise<ApiMessage[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [history, mediaRows, retries, senders] = await Promise.all([
    db.selectFrom('message_status').select(['message_id', 'status', 'at', 'detail']).where('message_id', 'in', ids).orderBy('id').execute(),
    rows.some((row) => row.media_count > 0)
      ? db.selectFrom('media').selectAll().where('message_id', 'in', ids).orderBy('created_at').execute()
      : Promise.resolve([]),
    retriesOf(db, rows),
    sendersOf(db, rows),
  ]);
  return rows.map((row) => {
    const to = JSON.parse(row.to_numbers) as string[];
    return {
      id: row.id,
      conversationId: row.conversation_id,
      direction: row.direction,
      from: row.from_number,
      to: to.length === 1 ? to[0]! : to,
      body: row.body,
      media: mediaRows
        .filter((m) => m.message_id === row.id)
        .map((m) => ({ id: m.id, contentType: m.content_type, size: m.size, url: m.storage_key ? media.signedUrl(m.id) : m.source_url })),
      encoding: row.encoding,
      segments: row.segments,
      status: row.status,
      providerAccountId: row.provider_account_id,
      providerType: row.provider_type,
      providerMessageId: row.provider_message_id,
      error: row.error_code || row.error_message ? { code: row.error_code ?? 'error', message: row.error_message ?? '' } : null,
      history: history
        .filter((h) => h.message_id === row.id)
        .map((h) => (h.detail ? { status: h.status, at: h.at, detail: h.detail } : { status: h.status, at: h.at })),
      createdAt: row.created_at,
      sentAt: row.sent_at,
      deliveredAt: row.delivered_at,
      readAt: row.read_at,
      sendAt: row.send_at,
      retry: retries.get(row.id) ?? null,
      sender: senders.get(row.id) ?? null,
    };
  });
}

export async function serializeMessage(db: Db, media: MediaStore, row: MessageTable): Promise<ApiMessage> {
  return (await serializeMessages(db, media, [row]))[0]!;
}

/** As lists return it (no optOut). */
export type ApiConversation = Omit<Static<typeof ConversationShape>, 'optOut'>;

export async function serializeConversations(db: Db, rows: ConversationTable[]): Promise<ApiConversation[]> {
  const lastIds = rows.map((row) => row.last_message_id).filter((id): id is string => Boolean(id));
  const last = lastIds.length
    ? await db.selectFrom('messages').select(['id', 'direction', 'body', 'status', 'created_at', 'media_count']).where('id', 'in', lastIds).execute()
    : [];
  const byId = new Map(last.map((m) => [m.id, m]));
  const ids = rows.map((row) => row.id);
  const [contacts, labels] = await Promise.all([contactsOfConversations(db, ids), labelsOfConversations(db, ids)]);
  return rows.map((row) => {
    const message = row.last_message_id ? byId.get(row.last_message_id) : undefined;
    return {
      id: row.id,
      ourNumber: row.our_number,
      numberId: row.number_id,
      remoteNumbers: JSON.parse(row.remote_numbers) as string[],
      contacts: contacts.get(row.id) ?? [],
      lastMessage: message
        ? { id: message.id, direction: message.direction, body: message.body, status: message.status, createdAt: message.created_at, mediaCount: message.media_count }
        : null,
      unreadCount: row.unread_count,
      assignedUserId: row.assigned_user_id,
      updatedAt: row.updated_at,
      status: effectiveStatus(row),
      snoozedUntil: effectiveStatus(row) === 'snoozed' ? row.snoozed_until : null,
      labels: labels.get(row.id) ?? [],
    };
  });
}
