/** Cases (F23): list, create, one with its messages, and status/title changes. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import type { CaseTable } from '../../../db/schema.js';
import { AppError, notFound } from '../../../errors.js';
import { requireScope } from '../../../plugins/auth.js';
import { accessScope, canSeeConversation } from '../../../services/access.js';
import { createCase, findCase } from '../../../services/cases.js';
import { routingDb } from '../../../services/routing/tables.js';
import { serializeMessages } from '../../../services/serialize.js';
import { decodeCursor, ErrorSchema, page, PagingQuery } from './paging.js';

const Status = Type.Union([Type.Literal('open'), Type.Literal('closed')]);
const Title = Type.String({ minLength: 1, maxLength: 300 });
const Id = Type.String({ minLength: 1, maxLength: 100 });
const CreateCase = Type.Object({ title: Title, contactId: Type.Optional(Id), conversationId: Type.Optional(Id) }, { additionalProperties: false });
const UpdateCase = Type.Object({ title: Type.Optional(Title), status: Type.Optional(Status) }, { additionalProperties: false });
const ListQuery = Type.Object({ ...PagingQuery, status: Type.Optional(Status), contactId: Type.Optional(Id), conversationId: Type.Optional(Id) }, { additionalProperties: false });

export function serializeCase(row: CaseTable, messageCount?: number) {
  return {
    id: row.id,
    token: row.token,
    title: row.title,
    status: row.status,
    contactId: row.contact_id,
    conversationId: row.conversation_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
    lastOutboundAt: row.last_outbound_at,
    ...(messageCount !== undefined ? { messageCount } : {}),
  };
}

export async function caseRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  /** A case is visible when its conversation is (agents see their numbers' conversations only). */
  async function findVisible(request: FastifyRequest, id: string): Promise<CaseTable> {
    const row = await findCase(ctx.db, request.auth.tenantId, id);
    if (row.conversation_id) {
      const conversation = await ctx.db.selectFrom('conversations').select(['number_id', 'our_number', 'remote_numbers']).where('id', '=', row.conversation_id).executeTakeFirst();
      if (conversation && !canSeeConversation(await accessScope(ctx, request.auth), conversation)) throw notFound('case', id);
    }
    return row;
  }

  app.get<{ Querystring: Static<typeof ListQuery> }>('/cases', { schema: { tags: ['cases'], querystring: ListQuery } }, async (request) => {
    requireScope(request, 'messages:read');
    const q = request.query;
    const tenantId = request.auth.tenantId;
    const limit = q.limit ?? 50;
    const scope = await accessScope(ctx, request.auth);
    let query = ctx.db.selectFrom('cases').selectAll().where('tenant_id', '=', tenantId);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.contactId) query = query.where('contact_id', '=', q.contactId);
    if (q.conversationId) query = query.where('conversation_id', '=', q.conversationId);
    const visible = scope.numberIds;
    if (visible) {
      query = query.where((eb) => eb.or([eb('conversation_id', 'is', null), eb('conversation_id', 'in', eb.selectFrom('conversations').select('id').where('tenant_id', '=', tenantId).where('number_id', 'in', visible.length ? visible : ['-']))]));
    }
    const cursor = decodeCursor(q.cursor);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const result = page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
    return { items: result.items.map((row) => serializeCase(row)), nextCursor: result.nextCursor };
  });

  app.post<{ Body: Static<typeof CreateCase> }>('/cases', { schema: { tags: ['cases'], body: CreateCase, response: { 400: ErrorSchema, 404: ErrorSchema } } }, async (request, reply) => {
    requireScope(request, 'messages:send');
    const tenantId = request.auth.tenantId;
    const { contactId, conversationId } = request.body;
    if (conversationId) {
      const conversation = await ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', conversationId).executeTakeFirst();
      if (!conversation || !canSeeConversation(await accessScope(ctx, request.auth), conversation)) throw new AppError('validation_error', `conversationId "${conversationId}" is not a conversation you can see`);
    }
    if (contactId) {
      const contact = await routingDb(ctx.db).selectFrom('contacts').select('id').where('tenant_id', '=', tenantId).where('id', '=', contactId).executeTakeFirst();
      if (!contact) throw new AppError('validation_error', `contactId "${contactId}" is not a contact of this tenant`);
    }
    const row = await createCase(ctx, { tenantId, title: request.body.title, contactId: contactId ?? null, conversationId: conversationId ?? null, userId: request.auth.userId });
    return reply.status(201).send(serializeCase(row, 0));
  });

  app.get<{ Params: { id: string } }>('/cases/:id', { schema: { tags: ['cases'] } }, async (request) => {
    requireScope(request, 'messages:read');
    const row = await findVisible(request, request.params.id);
    const messages = await ctx.db
      .selectFrom('case_messages')
      .innerJoin('messages', 'messages.id', 'case_messages.message_id')
      .selectAll('messages')
      .where('case_messages.case_id', '=', row.id)
      .where('messages.tenant_id', '=', row.tenant_id)
      .orderBy('messages.created_at')
      .orderBy('messages.id')
      .limit(500)
      .execute();
    return { ...serializeCase(row, messages.length), messages: await serializeMessages(ctx.db, ctx.media, messages) };
  });

  app.patch<{ Params: { id: string }; Body: Static<typeof UpdateCase> }>('/cases/:id', { schema: { tags: ['cases'], body: UpdateCase } }, async (request) => {
    requireScope(request, 'messages:send');
    const row = await findVisible(request, request.params.id);
    const at = now();
    const changes: Partial<CaseTable> = { updated_at: at };
    if (request.body.title !== undefined) {
      changes.title = request.body.title.trim();
      if (!changes.title || changes.title.includes('\u0000')) throw new AppError('validation_error', 'title must not be empty or contain NUL characters');
    }
    if (request.body.status !== undefined && request.body.status !== row.status) {
      changes.status = request.body.status;
      changes.closed_at = request.body.status === 'closed' ? at : null;
    }
    await ctx.db.updateTable('cases').set(changes).where('tenant_id', '=', row.tenant_id).where('id', '=', row.id).execute();
    return serializeCase({ ...row, ...changes });
  });
}
