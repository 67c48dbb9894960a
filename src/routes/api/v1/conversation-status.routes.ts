/** Conversation lifecycle (issue 12): set a status or snooze, counts by status, and bulk actions on the list. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import { AppError, notFound } from '../../../errors.js';
import { accessScope, canSeeConversation, INTERNAL_NUMBER, internalThreadPattern } from '../../../services/access.js';
import { CONVERSATION_STATUSES, effectiveStatus, hasStatus, statusChange } from '../../../services/inbox/conversation-status.js';

const Status = Type.Union(CONVERSATION_STATUSES.map((s) => Type.Literal(s)));
const SetStatus = Type.Object(
  { status: Status, snoozedUntil: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])) },
  { additionalProperties: false },
);
const Bulk = Type.Object(
  {
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 200 }),
    action: Type.Union([Type.Literal('resolve'), Type.Literal('reopen'), Type.Literal('pending'), Type.Literal('read'), Type.Literal('assign')]),
    /** For `assign`: the user, or null to unassign. */
    assignedUserId: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export async function conversationStatusRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const publish = (row: { id: string; tenant_id: string; number_id: string | null }) =>
    ctx.events.publish({ type: 'conversation.updated', tenantId: row.tenant_id, numberId: row.number_id, data: { id: row.id } });

  app.post<{ Params: { id: string }; Body: Static<typeof SetStatus> }>('/conversations/:id/status', { schema: { tags: ['inbox'], body: SetStatus } }, async (request) => {
    const row = await ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', request.auth.tenantId).where('id', '=', request.params.id).executeTakeFirst();
    if (!row || !canSeeConversation(await accessScope(ctx, request.auth), row)) throw notFound('conversation', request.params.id);
    const change = statusChange(request.body.status, request.body.snoozedUntil);
    await ctx.db.updateTable('conversations').set(change).where('id', '=', row.id).execute();
    publish(row);
    return { id: row.id, status: effectiveStatus(change), snoozedUntil: change.snoozed_until };
  });

  /** How many conversations the caller can see in each status (the inbox's filter counts). */
  app.get('/conversations/counts', { schema: { tags: ['inbox'] } }, async (request) => {
    const access = await accessScope(ctx, request.auth);
    const at = now();
    const counts: Record<string, number> = {};
    for (const status of CONVERSATION_STATUSES) {
      let query = ctx.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', request.auth.tenantId).where('last_message_id', 'is not', null).where(hasStatus(status, at));
      const visible = access.numberIds;
      const extension = access.extension;
      if (visible) {
        query = query.where((eb) =>
          eb.or([
            eb('number_id', 'in', visible.length ? visible : ['-']),
            ...(extension ? [eb.and([eb('our_number', '=', INTERNAL_NUMBER), eb('remote_numbers', 'like', internalThreadPattern(extension))])] : []),
          ]),
        );
      }
      counts[status] = Number((await query.executeTakeFirstOrThrow()).n);
    }
    return counts;
  });

  /** One action on many conversations; answers which ids were changed and which were not found. */
  app.post<{ Body: Static<typeof Bulk> }>('/conversations/bulk', { schema: { tags: ['inbox'], body: Bulk } }, async (request) => {
    const { ids, action } = request.body;
    const tenantId = request.auth.tenantId;
    const access = await accessScope(ctx, request.auth);
    const rows = (await ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', [...new Set(ids)]).execute()).filter((row) => canSeeConversation(access, row));
    const found = new Set(rows.map((row) => row.id));
    const changed = rows.map((row) => row.id).sort();
    if (action === 'assign') {
      const userId = request.body.assignedUserId ?? null;
      if (userId) {
        const user = await ctx.db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirst();
        if (!user) throw new AppError('validation_error', `assignedUserId "${userId}" is not a user of this tenant`);
      }
      if (changed.length) await ctx.db.updateTable('conversations').set({ assigned_user_id: userId }).where('id', 'in', changed).execute();
    } else if (request.body.assignedUserId !== undefined) {
      throw new AppError('validation_error', `assignedUserId only goes with action "assign", not "${action}"`);
    } else if (action === 'read') {
      const at = now();
      if (changed.length) {
        await ctx.db.transaction().execute(async (trx) => {
          await trx.updateTable('conversations').set({ unread_count: 0 }).where('id', 'in', changed).execute();
          await trx.updateTable('messages').set({ read_at: at }).where('tenant_id', '=', tenantId).where('conversation_id', 'in', changed).where('direction', '=', 'inbound').where('read_at', 'is', null).execute();
        });
      }
    } else {
      const status = action === 'resolve' ? 'resolved' : action === 'pending' ? 'pending' : 'open';
      if (changed.length) await ctx.db.updateTable('conversations').set({ status, snoozed_until: null }).where('id', 'in', changed).execute();
    }
    rows.forEach(publish);
    return { changed, notFound: ids.filter((id) => !found.has(id)) };
  });
}
