/**
 * Documents as links (F20): a PDF or other non-media file is not sent as MMS; the message carries
 * a short, unguessable link PUBLIC_URL/d/<code> instead. The first open is recorded in the
 * message's history as "link_opened".
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AppContext } from '../context.js';
import { now } from '../db/client.js';
import type { Database, DocumentTable, MessageTable } from '../db/schema.js';
import { AppError } from '../errors.js';
import { newId } from '../lib/ids.js';
import { recordStatus } from './message-status.js';
import { getGeneralSettings } from './tenant-settings.js';

export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
export const DOCUMENT_TYPES: ReadonlySet<string> = new Set([
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/rtf',
  'application/zip',
  'text/csv',
  'text/plain',
  'text/calendar',
  'text/vcard',
]);
export const DOCUMENT_LINK_OPENED = 'link_opened';

/** 12 base64url characters: 72 random bits, short enough for an SMS and not guessable. */
function newCode(): string {
  return randomBytes(9).toString('base64url');
}

export function documentUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/d/${code}`;
}

export async function saveDocument(ctx: AppContext, input: { tenantId: string; userId: string | null; filename: string; contentType: string; data: Buffer }): Promise<DocumentTable> {
  const contentType = input.contentType.split(';')[0]!.trim().toLowerCase();
  if (!DOCUMENT_TYPES.has(contentType)) throw new AppError('unsupported_media', `"${contentType}" is not a document type; send pictures, audio and video as media (MMS) instead, or use one of ${[...DOCUMENT_TYPES].join(', ')}`);
  if (input.data.length === 0) throw new AppError('validation_error', 'the document is empty');
  if (input.data.length > MAX_DOCUMENT_BYTES) throw new AppError('payload_too_large', `the document is ${input.data.length} bytes; the limit is ${MAX_DOCUMENT_BYTES}`);
  // Keep only a safe display name: no paths, no control characters or quotes.
  const filename = (input.filename.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f"\u007f]/g, '').slice(0, 200) || 'document';
  const row: DocumentTable = { id: newId('doc'), tenant_id: input.tenantId, code: newCode(), filename, content_type: contentType, size: input.data.length, data: input.data, created_by: input.userId, message_id: null, expires_at: null, first_opened_at: null, open_count: 0, created_at: now() };
  await ctx.db.insertInto('documents').values(row).execute();
  return row;
}

/** Loads documents to attach; each can go out once (its link then belongs to that message). */
export async function documentsToAttach(db: Kysely<Database>, tenantId: string, ids: string[]): Promise<Array<Pick<DocumentTable, 'id' | 'code' | 'filename'>>> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('documents').select(['id', 'code', 'filename', 'message_id']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return ids.map((id, index) => {
    const row = rows.find((r) => r.id === id);
    if (!row) throw new AppError('validation_error', `documents[${index}].id "${id}" is not a document uploaded to this tenant (POST /documents)`);
    if (row.message_id) throw new AppError('conflict', `documents[${index}] "${row.filename}" was already sent in message ${row.message_id}; upload it again for a new link`);
    return row;
  });
}

/** Binds documents to the message that carries their links, inside the message's transaction. */
export async function bindDocuments(trx: Kysely<Database>, tenantId: string, documentIds: string[], message: MessageTable, linkDays: number): Promise<void> {
  if (documentIds.length === 0) return;
  const expiresAt = linkDays > 0 ? new Date(Date.parse(message.created_at) + linkDays * 86_400_000).toISOString() : null;
  const result = await trx.updateTable('documents').set({ message_id: message.id, expires_at: expiresAt }).where('tenant_id', '=', tenantId).where('id', 'in', documentIds).where('message_id', 'is', null).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== documentIds.length) throw new AppError('conflict', 'a document was sent by another message at the same time; upload it again');
}

export async function documentLinkDays(ctx: AppContext, tenantId: string): Promise<number> {
  return (await getGeneralSettings(ctx.db, tenantId)).documentLinkDays;
}

/** Opens a link: the document if it is live; the first open (not a HEAD probe) is written to the message's history. */
export async function openDocument(ctx: AppContext, code: string, options: { record: boolean } = { record: true }): Promise<DocumentTable> {
  const row = await ctx.db.selectFrom('documents').selectAll().where('code', '=', code).executeTakeFirst();
  if (!row || !row.message_id) throw new AppError('not_found', 'this link does not exist');
  if (row.expires_at && row.expires_at < now()) throw new AppError('link_expired', 'this link has expired; ask the sender for a new one', { statusCode: 410 });
  if (!options.record) return row;
  const at = now();
  await ctx.db.transaction().execute(async (trx) => {
    const first = await trx.updateTable('documents').set({ first_opened_at: at }).where('id', '=', row.id).where('first_opened_at', 'is', null).executeTakeFirst();
    await trx.updateTable('documents').set((eb) => ({ open_count: eb('open_count', '+', 1) })).where('id', '=', row.id).execute();
    if (Number(first.numUpdatedRows) === 1) await recordStatus(trx, { id: row.message_id!, tenant_id: row.tenant_id }, DOCUMENT_LINK_OPENED, at, row.filename);
  });
  if (!row.first_opened_at) {
    const message = await ctx.db.selectFrom('messages').select(['number_id', 'conversation_id']).where('id', '=', row.message_id).executeTakeFirst();
    if (message) ctx.events.publish({ type: 'conversation.updated', tenantId: row.tenant_id, numberId: message.number_id, data: { id: message.conversation_id } });
  }
  return row;
}
