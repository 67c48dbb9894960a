/**
 * Cases (F23): a message sent in a case carries its token (e.g. "[SB-7K2QX9]"); an inbound reply
 * joins the case named by a token in its body, else the most recent open case that messaged the
 * same conversation (same remote number to the same number of ours).
 */
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AppContext } from '../context.js';
import { now } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import type { CaseMessageTable, CaseTable, Database, MessageTable } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { newId } from '../lib/ids.js';

// No 0/O or 1/I, so a token read aloud or retyped survives.
const TOKEN_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const TOKEN_IN_TEXT = /\[\s*(SB-[0-9A-Z]{6})\s*\]/i;

export function newCaseToken(): string {
  let token = 'SB-';
  for (let i = 0; i < 6; i++) token += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return token;
}

/** The text appended to a message sent in the case's scope (counted in its segments). */
export function caseTokenSuffix(token: string): string {
  return ` [${token}]`;
}

export function findTokenInText(text: string): string | null {
  return TOKEN_IN_TEXT.exec(text)?.[1]?.toUpperCase() ?? null;
}

export async function findCase(db: Kysely<Database>, tenantId: string, id: string): Promise<CaseTable> {
  const row = await db.selectFrom('cases').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('case', id);
  return row;
}

const anyCase = prepared<{ tenantId: string }>()((db, p) => db.selectFrom('cases').select('id').where('tenant_id', '=', p.tenantId).limit(1));

/** Read through ctx.hasCases: most tenants never open a case, and their inbound messages skip the case lookups. */
export async function tenantHasCase(db: Kysely<Database>, tenantId: string): Promise<boolean> {
  return (await anyCase.first(db, { tenantId })) !== undefined;
}

export async function createCase(ctx: AppContext, input: { tenantId: string; title: string; contactId: string | null; conversationId: string | null; userId: string | null }): Promise<CaseTable> {
  const title = input.title.trim();
  if (!title || title.includes('\u0000')) throw new AppError('validation_error', 'title must not be empty or contain NUL characters');
  const at = now();
  for (let attempt = 0; ; attempt++) {
    const row: CaseTable = { id: newId('case'), tenant_id: input.tenantId, token: newCaseToken(), title, status: 'open', contact_id: input.contactId, conversation_id: input.conversationId, created_by: input.userId, created_at: at, updated_at: at, closed_at: null, last_outbound_at: null };
    try {
      await ctx.db.insertInto('cases').values(row).execute();
      ctx.hasCases.changed(input.tenantId);
      return row;
    } catch (error) {
      // 32^6 tokens: a clash is rare; try a fresh one a few times.
      if (attempt < 4 && /unique|duplicate/i.test((error as Error).message)) continue;
      throw error;
    }
  }
}

/** Links an outbound message to its case, inside the transaction that stores the message. */
export async function linkOutboundToCase(trx: Kysely<Database>, caseRow: CaseTable, message: MessageTable): Promise<void> {
  await trx.insertInto('case_messages').values(caseMessageRow(caseRow.id, message)).execute();
  await trx
    .updateTable('cases')
    .set({ last_outbound_at: message.created_at, updated_at: message.created_at, conversation_id: caseRow.conversation_id ?? message.conversation_id })
    .where('id', '=', caseRow.id)
    .execute();
}

/** Inbound handler: attaches a reply to its case. Idempotent (the inbound job may run again). */
function caseMessageRow(caseId: string, message: MessageTable): CaseMessageTable {
  return { message_id: message.id, case_id: caseId, tenant_id: message.tenant_id, created_at: message.created_at, conversation_id: message.conversation_id, direction: message.direction };
}

/** The open case a reply in this conversation was last sent for (index case_messages_conversation). */
const latestOpenCaseOfConversation = prepared<{ tenantId: string; conversationId: string }>()((db, p) =>
  db
    .selectFrom('case_messages')
    .innerJoin('cases', 'cases.id', 'case_messages.case_id')
    .select('cases.id')
    .where('case_messages.tenant_id', '=', p.tenantId)
    .where('case_messages.conversation_id', '=', p.conversationId)
    .where('case_messages.direction', '=', 'outbound')
    .where('cases.status', '=', 'open')
    .orderBy('case_messages.created_at', 'desc')
    .limit(1),
);

export async function attachInboundToCase(ctx: AppContext, message: MessageTable): Promise<void> {
  if (message.direction !== 'inbound' || !(await ctx.hasCases.get(message.tenant_id))) return;
  const token = findTokenInText(message.body);
  let caseId: string | undefined;
  if (token) {
    caseId = (await ctx.db.selectFrom('cases').select('id').where('tenant_id', '=', message.tenant_id).where('token', '=', token).executeTakeFirst())?.id;
  }
  if (!caseId) {
    caseId = (await latestOpenCaseOfConversation.first(ctx.db, { tenantId: message.tenant_id, conversationId: message.conversation_id }))?.id;
  }
  if (!caseId) return;
  await ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('case_messages')
      .values(caseMessageRow(caseId, message))
      .onConflict((oc) => oc.column('message_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) await trx.updateTable('cases').set({ updated_at: now() }).where('id', '=', caseId).execute();
  });
  ctx.events.publish({ type: 'case.updated', tenantId: message.tenant_id, numberId: message.number_id, data: { id: caseId, messageId: message.id } });
}
