/** The inbox: conversations, a thread's messages, read state and assignment (F20). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import { conversationContains, matchWords } from '../../../db/text-search.js';
import { AppError, notFound } from '../../../errors.js';
import { accessScope, canSeeConversation, INTERNAL_NUMBER, internalThreadPattern } from '../../../services/access.js';
import { routingDb } from '../../../services/routing/tables.js';
import { serializeConversations, serializeMessages } from '../../../services/serialize.js';
import { optOutStateOf } from '../../../services/inbox/opt-out-state.js';
import { CONVERSATION_STATUSES, hasStatus } from '../../../services/inbox/conversation-status.js';
import { phoneDigits, statusList } from '../../../services/inbox/phone-search.js';
import { withLabels } from '../../../services/inbox/labels.js';
import { decodeCursor, mergeNewest, page, PagingQuery } from './paging.js';

const ListQuery = Type.Object(
  {
    ...PagingQuery,
    numberId: Type.Optional(Type.String({ maxLength: 100 })),
    assigned: Type.Optional(Type.Union([Type.Literal('me'), Type.Literal('none')])),
    unread: Type.Optional(Type.Boolean()),
    /** The last message's status, or a comma-separated list (`failed,undelivered`). */
    status: Type.Optional(Type.String({ maxLength: 100 })),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    /** The conversation's status (issue 12): open (including snoozes that ran out), pending, resolved, snoozed. */
    state: Type.Optional(Type.Union(CONVERSATION_STATUSES.map((status) => Type.Literal(status)))),
    /** Conversations linked to no contact (F21 "Not linked"). */
    notLinked: Type.Optional(Type.Boolean()),
    /** Conversations carrying this label (GET /labels). */
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** Conversations linked to this contact (the thread's contact panel lists them). */
    contactId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
const ThreadQuery = Type.Object(PagingQuery, { additionalProperties: false });
const Assign = Type.Object({ assignedUserId: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]) }, { additionalProperties: false });
const ReadBody = Type.Object({ read: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

export async function conversationRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  async function findVisible(request: import('fastify').FastifyRequest, id: string) {
    const row = await ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', request.auth.tenantId).where('id', '=', id).executeTakeFirst();
    if (!row || !canSeeConversation(await accessScope(ctx, request.auth), row)) throw notFound('conversation', id);
    return row;
  }

  app.get<{ Querystring: Static<typeof ListQuery> }>('/conversations', { schema: { tags: ['inbox'], querystring: ListQuery } }, async (request) => {
    const q = request.query;
    const limit = q.limit ?? 50;
    const access = await accessScope(ctx, request.auth);
    const visible = access.numberIds;
    const extension = access.extension;
    let query = ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', request.auth.tenantId).where('last_message_id', 'is not', null);
    if (visible) {
      query = query.where((eb) =>
        eb.or([
          eb('number_id', 'in', visible.length ? visible : ['-']),
          ...(extension ? [eb.and([eb('our_number', '=', INTERNAL_NUMBER), eb('remote_numbers', 'like', internalThreadPattern(extension))])] : []),
        ]),
      );
    }
    if (q.notLinked) {
      const tenantId = request.auth.tenantId;
      query = query
        .where('our_number', '<>', INTERNAL_NUMBER)
        .where('id', 'not in', routingDb(ctx.db).selectFrom('conversation_contacts').select('conversation_id').where('tenant_id', '=', tenantId));
    }
    if (q.label) query = query.where('id', 'in', withLabels(ctx.db).selectFrom('conversation_labels').select('conversation_id').where('tenant_id', '=', request.auth.tenantId).where('label_id', '=', q.label));
    if (q.contactId) query = query.where('id', 'in', routingDb(ctx.db).selectFrom('conversation_contacts').select('conversation_id').where('tenant_id', '=', request.auth.tenantId).where('contact_id', '=', q.contactId));
    if (q.numberId) query = query.where('number_id', '=', q.numberId);
    if (q.assigned === 'me') query = query.where('assigned_user_id', '=', request.auth.userId ?? '-');
    if (q.assigned === 'none') query = query.where('assigned_user_id', 'is', null);
    if (q.unread) query = query.where('unread_count', '>', 0);
    if (q.state) query = query.where(hasStatus(q.state));
    if (q.status) {
      const statuses = statusList(q.status);
      query = query.where('last_message_id', 'in', (eb) => eb.selectFrom('messages').select('id').where('tenant_id', '=', request.auth.tenantId).where('status', 'in', statuses.length ? statuses : ['-']));
    }
    const cursor = decodeCursor(q.cursor);
    if (cursor) query = query.where((eb) => eb.or([eb('updated_at', '<', cursor.at), eb.and([eb('updated_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
    // The text search `q` as alternatives, each run as its own query and the pages merged (as
    // GET /messages does): the remote number, and the words of the messages. In one OR, neither
    // index could drive the query, and the database walked every conversation.
    let alternatives = [query];
    if (q.q) {
      const text = q.q;
      const digits = phoneDigits(text);
      const words = await matchWords(ctx.db, ctx.store.dialect, request.auth.tenantId, text);
      const remote = (needle: string) => conversationContains(ctx.store.dialect, ['remote_key'], needle);
      alternatives = [query.where((eb) => eb.or([remote(text), ...(digits ? [remote(digits)] : [])])), query.where(words.conversation)];
    }
    const lists = await Promise.all(alternatives.map((alternative) => alternative.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute()));
    const key = (row: (typeof lists)[number][number]) => ({ at: row.updated_at, id: row.id });
    const result = page(mergeNewest(lists, limit + 1, key), limit, key);
    return { items: await serializeConversations(ctx.db, result.items), nextCursor: result.nextCursor };
  });

  app.get<{ Params: { id: string } }>('/conversations/:id', { schema: { tags: ['inbox'] } }, async (request) => {
    const row = await findVisible(request, request.params.id);
    const [conversation] = await serializeConversations(ctx.db, [row]);
    return { ...conversation, optOut: await optOutStateOf(ctx, row) };
  });

  /** Newest first; pass nextCursor for older messages. */
  app.get<{ Params: { id: string }; Querystring: Static<typeof ThreadQuery> }>('/conversations/:id/messages', { schema: { tags: ['inbox'], querystring: ThreadQuery } }, async (request) => {
    const conversation = await findVisible(request, request.params.id);
    const limit = request.query.limit ?? 50;
    let query = ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', request.auth.tenantId).where('conversation_id', '=', conversation.id);
    const cursor = decodeCursor(request.query.cursor);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const result = page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
    return { items: await serializeMessages(ctx.db, ctx.media, result.items), nextCursor: result.nextCursor };
  });

  /** Marks read (default) or unread: `{read: false}` sets the unread count back to 1. */
  app.post<{ Params: { id: string }; Body: Static<typeof ReadBody> | undefined }>('/conversations/:id/read', { schema: { tags: ['inbox'], body: Type.Optional(ReadBody) } }, async (request) => {
    const conversation = await findVisible(request, request.params.id);
    const read = request.body?.read ?? true;
    const at = now();
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('conversations').set({ unread_count: read ? 0 : Math.max(1, conversation.unread_count) }).where('id', '=', conversation.id).execute();
      if (read) {
        await trx.updateTable('messages').set({ read_at: at }).where('conversation_id', '=', conversation.id).where('direction', '=', 'inbound').where('read_at', 'is', null).execute();
      }
    });
    ctx.events.publish({ type: 'conversation.updated', tenantId: conversation.tenant_id, numberId: conversation.number_id, data: { id: conversation.id } });
    return { id: conversation.id, unreadCount: read ? 0 : Math.max(1, conversation.unread_count) };
  });

  app.post<{ Params: { id: string }; Body: Static<typeof Assign> }>('/conversations/:id/assign', { schema: { tags: ['inbox'], body: Assign } }, async (request) => {
    const conversation = await findVisible(request, request.params.id);
    const userId = request.body.assignedUserId;
    if (userId) {
      const user = await ctx.db.selectFrom('users').select('id').where('tenant_id', '=', request.auth.tenantId).where('id', '=', userId).executeTakeFirst();
      if (!user) throw new AppError('validation_error', `assignedUserId "${userId}" is not a user of this tenant`);
    }
    await ctx.db.updateTable('conversations').set({ assigned_user_id: userId }).where('id', '=', conversation.id).execute();
    ctx.events.publish({ type: 'conversation.updated', tenantId: conversation.tenant_id, numberId: conversation.number_id, data: { id: conversation.id } });
    return { id: conversation.id, assignedUserId: userId };
  });
}
