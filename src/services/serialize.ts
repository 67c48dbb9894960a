/** Rows → the API's shapes (SPEC §3). */
import type { Db } from '../db/client.js';
import type { ConversationStatus, ConversationTable, MessageTable } from '../db/schema.js';
import { effectiveStatus } from './inbox/conversation-status.js';
import type { MediaStore } from './media-store.js';
import { retriesOf, type MessageRetry } from './inbox/message-retries.js';
import { contactsOfConversations } from './routing/contacts.js';
import { sendersOf, type MessageSender } from './inbox/message-senders.js';
import { labelsOfConversations, type ApiLabel } from './inbox/labels.js';

export interface ApiMessage {
  id: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string | string[];
  body: string;
  media: Array<{ id: string; contentType: string; size: number; url: string | null }>;
  encoding: string;
  segments: number;
  status: string;
  providerAccountId: string | null;
  providerType: string | null;
  providerMessageId: string | null;
  error: { code: string; message: string } | null;
  history: Array<{ status: string; at: string; detail?: string }>;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  sendAt: string | null;
  /** While a send is being retried: attempts so far, when the next one runs and why the last failed. */
  retry: MessageRetry | null;
  /** Who sent an outbound message (a user, an API key, a workflow or the system); null when unknown (older rows, inbound). */
  sender: MessageSender | null;
}

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

export interface ApiConversation {
  id: string;
  ourNumber: string;
  numberId: string | null;
  remoteNumbers: string[];
  contacts: Array<{ id: string; name: string }>;
  lastMessage: { id: string; direction: string; body: string; status: string; createdAt: string; mediaCount: number } | null;
  unreadCount: number;
  assignedUserId: string | null;
  updatedAt: string;
  /** open, pending, resolved or snoozed (a snooze that ran out reads as open). */
  status: ConversationStatus;
  snoozedUntil: string | null;
  /** The conversation's labels, by name. */
  labels: ApiLabel[];
}

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
