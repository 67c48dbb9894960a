/**
 * Private notes in a conversation thread (issue 12): list, write (with @mentions) and delete.
 * A note is stored only here: no message row, no send job, nothing reaches a provider.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import type { ConversationTable } from '../../../db/schema.js';
import { forbidden, notFound } from '../../../errors.js';
import { PUSH_MENTION_JOB } from '../../../jobs/push-mention.job.js';
import { newId } from '../../../lib/ids.js';
import { accessScope, canSeeConversation, INTERNAL_NUMBER } from '../../../services/access.js';
import { auditSource, recordAudit } from '../../../services/audit.js';
import { checkNoteBody, handleOf, mentionHandleOf, NOTE_MAX_LENGTH, notesDb, parseStringList, resolveMentions, teamWithAccess, type NoteTable, type TeamMember } from '../../../services/inbox/notes.js';
import { isPushEnabled, pushDb } from '../../../services/push.js';
import { decodeCursor, ErrorSchema, page, PagingQuery } from './paging.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const NoteParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), noteId: Type.String({ minLength: 1, maxLength: 100 }) });
const ListQuery = Type.Object(PagingQuery, { additionalProperties: false });
// The length limit is checked after trimming (checkNoteBody); this bound only stops huge payloads early.
const CreateBody = Type.Object({ body: Type.String({ minLength: 1, maxLength: NOTE_MAX_LENGTH * 2 }) }, { additionalProperties: false });
const Person = Type.Object({ id: Type.String(), name: Type.String() });
const Mentioned = Type.Object({ id: Type.String(), name: Type.String(), handle: Type.String() });
const Note = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  body: Type.String(),
  authorId: Type.Union([Type.String(), Type.Null()]),
  author: Type.Union([Person, Type.Null()]),
  mentionedUserIds: Type.Array(Type.String()),
  mentions: Type.Array(Mentioned),
  createdAt: Type.String(),
});
const Mentionable = Type.Object({ id: Type.String(), name: Type.String(), handle: Type.String() });

export async function noteRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const notes = () => notesDb(ctx.db);

  async function findVisible(request: FastifyRequest, id: string) {
    const row = await ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', request.auth.tenantId).where('id', '=', id).executeTakeFirst();
    if (!row || !canSeeConversation(await accessScope(ctx, request.auth), row)) throw notFound('conversation', id);
    return row;
  }

  async function serialize(tenantId: string, rows: NoteTable[]) {
    const ids = new Set<string>();
    for (const row of rows) {
      if (row.author_id) ids.add(row.author_id);
      for (const id of parseStringList(row.mentioned_user_ids)) ids.add(id);
    }
    const users = ids.size ? await ctx.db.selectFrom('users').select(['id', 'name', 'email']).where('tenant_id', '=', tenantId).where('id', 'in', [...ids]).execute() : [];
    const byId = new Map(users.map((user) => [user.id, user]));
    const person = (id: string | null) => {
      const user = id ? byId.get(id) : undefined;
      return user ? { id: user.id, name: user.name } : null;
    };
    return rows.map((row) => {
      const mentionedUserIds = parseStringList(row.mentioned_user_ids);
      return {
        id: row.id,
        conversationId: row.conversation_id,
        body: row.body,
        authorId: row.author_id,
        author: person(row.author_id),
        mentionedUserIds,
        mentions: mentionedUserIds.flatMap((id) => {
          const user = byId.get(id);
          return user ? [{ id: user.id, name: user.name, handle: handleOf(user) }] : [];
        }),
        createdAt: row.created_at,
      };
    });
  }

  /** Internal threads have no number for the event stream to filter on: their events name their viewers. */
  const hasNoNumber = (conversation: ConversationTable) => conversation.our_number === INTERNAL_NUMBER || !conversation.number_id;
  const viewersOf = async (conversation: ConversationTable, team?: TeamMember[]) =>
    hasNoNumber(conversation) ? (team ?? (await teamWithAccess(ctx, conversation.tenant_id, conversation))).filter((user) => user.canSee).map((user) => user.id) : [];

  /** Everyone who can see the conversation gets note.created/deleted. */
  function publishToViewers(type: string, conversation: ConversationTable, viewerIds: string[], data: unknown) {
    if (hasNoNumber(conversation)) ctx.events.publish({ type, tenantId: conversation.tenant_id, userIds: viewerIds, data });
    else ctx.events.publish({ type, tenantId: conversation.tenant_id, numberId: conversation.number_id, data });
  }

  /** Newest first, like the thread's messages; pass nextCursor for older notes. */
  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof ListQuery> }>(
    '/conversations/:id/notes',
    { config: { scope: 'messages:read' }, schema: { tags: ['inbox'], description: 'Private notes of a conversation, newest first', params: Params, querystring: ListQuery, response: { 200: Type.Object({ items: Type.Array(Note), nextCursor: Type.Union([Type.String(), Type.Null()]) }), 404: ErrorSchema } } },
    async (request) => {
      const conversation = await findVisible(request, request.params.id);
      const limit = request.query.limit ?? 50;
      let query = notes().selectFrom('conversation_notes').selectAll().where('tenant_id', '=', request.auth.tenantId).where('conversation_id', '=', conversation.id);
      const cursor = decodeCursor(request.query.cursor);
      if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
      const result = page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
      return { items: await serialize(request.auth.tenantId, result.items), nextCursor: result.nextCursor };
    },
  );

  /** Team members who can see the conversation: who the composer offers after `@`. */
  app.get<{ Params: Static<typeof Params> }>(
    '/conversations/:id/notes/mentionable',
    { config: { scope: 'messages:read' }, schema: { tags: ['inbox'], description: 'Team members a note in this conversation may mention', params: Params, response: { 200: Type.Object({ items: Type.Array(Mentionable) }), 404: ErrorSchema } } },
    async (request) => {
      const conversation = await findVisible(request, request.params.id);
      const team = await teamWithAccess(ctx, request.auth.tenantId, conversation);
      return { items: team.filter((user) => user.canSee).map((user) => ({ id: user.id, name: user.name, handle: mentionHandleOf(user, team) })) };
    },
  );

  app.post<{ Params: Static<typeof Params>; Body: Static<typeof CreateBody> }>(
    '/conversations/:id/notes',
    { schema: { tags: ['inbox'], description: 'Writes a private note; @handle mentions notify those team members (live event and Web Push). Never sent to the customer.', params: Params, body: CreateBody, response: { 201: Note, 400: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema } } },
    async (request, reply) => {
      const conversation = await findVisible(request, request.params.id);
      const body = checkNoteBody(request.body.body);
      const tenantId = request.auth.tenantId;
      const team = await teamWithAccess(ctx, tenantId, conversation);
      const mentionedUserIds = resolveMentions(body, team);
      const authorId = request.auth.userId ?? request.auth.actingUserId;
      const row: NoteTable = { id: newId('note'), tenant_id: tenantId, conversation_id: conversation.id, author_id: authorId, body, mentioned_user_ids: JSON.stringify(mentionedUserIds), created_at: now() };
      // Nobody is told about their own mention.
      const notify = mentionedUserIds.filter((id) => id !== authorId);
      const pushable = team.filter((user) => notify.includes(user.id) && isPushEnabled(user)).map((user) => user.id);
      const subscribed = pushable.length ? await pushDb(ctx.db).selectFrom('push_subscriptions').select('user_id').distinct().where('tenant_id', '=', tenantId).where('user_id', 'in', pushable).execute() : [];
      await ctx.db.transaction().execute(async (trx) => {
        await notesDb(trx).insertInto('conversation_notes').values(row).execute();
        if (subscribed.length) await ctx.queue.enqueue(trx, PUSH_MENTION_JOB, { noteId: row.id, userIds: subscribed.map((s) => s.user_id) }, { tenantId });
      });
      if (subscribed.length) ctx.queue.wake();
      const [note] = await serialize(tenantId, [row]);
      publishToViewers('note.created', conversation, await viewersOf(conversation, team), { id: row.id, conversationId: conversation.id });
      if (notify.length) {
        const preview = body.length > 140 ? body.slice(0, 139) + '…' : body;
        ctx.events.publish({ type: 'note.mention', tenantId, userIds: notify, data: { noteId: row.id, conversationId: conversation.id, authorName: note!.author?.name ?? null, preview } });
      }
      return reply.code(201).send(note);
    },
  );

  app.delete<{ Params: Static<typeof NoteParams> }>(
    '/conversations/:id/notes/:noteId',
    { schema: { tags: ['inbox'], description: 'Deletes a note: its author, an admin or an owner', params: NoteParams, response: { 403: ErrorSchema, 404: ErrorSchema } } },
    async (request, reply) => {
      const conversation = await findVisible(request, request.params.id);
      const tenantId = request.auth.tenantId;
      const row = await notes().selectFrom('conversation_notes').selectAll().where('tenant_id', '=', tenantId).where('conversation_id', '=', conversation.id).where('id', '=', request.params.noteId).executeTakeFirst();
      if (!row) throw notFound('note', request.params.noteId);
      const caller = request.auth.userId ?? request.auth.actingUserId;
      const isAuthor = row.author_id !== null && row.author_id === caller;
      if (!isAuthor && request.auth.role === 'agent') throw forbidden('forbidden', `note ${row.id} was written by someone else; only its author, an admin or an owner may delete it`);
      await ctx.db.transaction().execute(async (trx) => {
        await notesDb(trx).deleteFrom('conversation_notes').where('id', '=', row.id).execute();
        await recordAudit(trx, { ...auditSource(request), action: 'note.deleted', target: { type: 'note', id: row.id, label: `note in ${conversation.id}` }, changes: { conversationId: conversation.id, authorId: row.author_id, byAuthor: isAuthor } });
      });
      publishToViewers('note.deleted', conversation, await viewersOf(conversation), { id: row.id, conversationId: conversation.id });
      return reply.code(204).send();
    },
  );
}
