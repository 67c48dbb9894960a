/**
 * Conversation labels (issue 12): owners and admins manage the tenant's labels; anyone who can
 * see a conversation may put existing labels on it or take them off. Changes reach other agents'
 * lists live: conversation.updated for a conversation's labels, labels.changed for the catalogue.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import { AppError, notFound } from '../../../errors.js';
import { newId } from '../../../lib/ids.js';
import { DEFAULT_LABEL_COLOR, LABEL_PALETTE, parseLabelColor } from '../../../lib/label-colors.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { accessScope, canSeeConversation } from '../../../services/access.js';
import { changeConversationLabels, labelsOfConversations, nameKey, requireTenantLabels, serializeLabel, withLabels, type LabelTable } from '../../../services/inbox/labels.js';

const MAX_LABELS_PER_TENANT = 500;
const Name = Type.String({ minLength: 1, maxLength: 50 });
const Color = Type.String({ minLength: 1, maxLength: 20, description: `A palette name (${Object.keys(LABEL_PALETTE).join(', ')}) or #rrggbb` });
const CreateLabel = Type.Object({ name: Name, color: Type.Optional(Color) }, { additionalProperties: false });
const UpdateLabel = Type.Object({ name: Type.Optional(Name), color: Type.Optional(Color) }, { additionalProperties: false });
const LabelId = Type.String({ minLength: 1, maxLength: 100 });
const SetLabels = Type.Object({ labelIds: Type.Array(LabelId, { maxItems: 50 }) }, { additionalProperties: false });

function cleanName(raw: string): string {
  const name = raw.normalize('NFC').trim();
  if (!name) throw new AppError('validation_error', 'name must not be empty');
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new AppError('validation_error', 'name must not contain control characters (line breaks, tabs)');
  return name;
}

function cleanColor(raw: string): string {
  const color = parseLabelColor(raw);
  if (!color) throw new AppError('validation_error', `color "${raw}" is neither a palette colour (${Object.keys(LABEL_PALETTE).join(', ')}) nor a #rrggbb value`);
  return color;
}

const nameTaken = (error: unknown) => /unique|duplicate/i.test((error as Error).message);

export async function labelRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const db = withLabels(ctx.db);

  const find = async (tenantId: string, id: string) => {
    const row = await db.selectFrom('labels').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('label', id);
    return row;
  };
  const assertNameFree = async (tenantId: string, name: string, exceptId?: string) => {
    let query = db.selectFrom('labels').select('name').where('tenant_id', '=', tenantId).where('name_key', '=', nameKey(name));
    if (exceptId) query = query.where('id', '<>', exceptId);
    const clash = await query.executeTakeFirst();
    if (clash) throw new AppError('conflict', `a label named "${clash.name}" already exists; names are compared without case`);
  };
  /** Every signed-in user of the tenant refreshes labels (agents included, whichever numbers they see). */
  const publishCatalogue = async (tenantId: string, id: string) => {
    const users = await ctx.db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).execute();
    if (users.length) ctx.events.publish({ type: 'labels.changed', tenantId, userIds: users.map((user) => user.id), data: { id } });
  };

  app.get('/labels', { schema: { tags: ['labels'] } }, async (request) => {
    const rows = await db.selectFrom('labels').selectAll().where('tenant_id', '=', request.auth.tenantId).orderBy('name_key').execute();
    return { items: rows.map(serializeLabel), nextCursor: null };
  });

  app.get<{ Params: { id: string } }>('/labels/:id', { schema: { tags: ['labels'] } }, async (request) => serializeLabel(await find(request.auth.tenantId, request.params.id)));

  app.post<{ Body: Static<typeof CreateLabel> }>('/labels', { schema: { tags: ['labels'], body: CreateLabel } }, async (request, reply) => {
    requireAdmin(request);
    const tenantId = request.auth.tenantId;
    const name = cleanName(request.body.name);
    const color = request.body.color === undefined ? DEFAULT_LABEL_COLOR : cleanColor(request.body.color);
    await assertNameFree(tenantId, name);
    const count = Number((await db.selectFrom('labels').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n);
    if (count >= MAX_LABELS_PER_TENANT) throw new AppError('validation_error', `this tenant already has ${count} labels, the most allowed; delete unused ones first`);
    const at = now();
    const row: LabelTable = { id: newId('lbl'), tenant_id: tenantId, name, name_key: nameKey(name), color, created_at: at, updated_at: at };
    try {
      await db.insertInto('labels').values(row).execute();
    } catch (error) {
      if (nameTaken(error)) throw new AppError('conflict', `a label named "${name}" already exists; names are compared without case`);
      throw error;
    }
    await publishCatalogue(tenantId, row.id);
    return reply.status(201).send(serializeLabel(row));
  });

  app.patch<{ Params: { id: string }; Body: Static<typeof UpdateLabel> }>('/labels/:id', { schema: { tags: ['labels'], body: UpdateLabel } }, async (request) => {
    requireAdmin(request);
    const label = await find(request.auth.tenantId, request.params.id);
    const changes: Partial<LabelTable> = { updated_at: now() };
    if (request.body.name !== undefined) {
      changes.name = cleanName(request.body.name);
      changes.name_key = nameKey(changes.name);
      await assertNameFree(label.tenant_id, changes.name, label.id);
    }
    if (request.body.color !== undefined) changes.color = cleanColor(request.body.color);
    try {
      await db.updateTable('labels').set(changes).where('tenant_id', '=', label.tenant_id).where('id', '=', label.id).execute();
    } catch (error) {
      if (nameTaken(error)) throw new AppError('conflict', `a label named "${changes.name}" already exists; names are compared without case`);
      throw error;
    }
    await publishCatalogue(label.tenant_id, label.id);
    return serializeLabel({ ...label, ...changes });
  });

  /** Deleting a label takes it off every conversation. */
  app.delete<{ Params: { id: string } }>('/labels/:id', { schema: { tags: ['labels'] } }, async (request, reply) => {
    requireAdmin(request);
    const label = await find(request.auth.tenantId, request.params.id);
    await ctx.db.transaction().execute(async (trx) => {
      await withLabels(trx).deleteFrom('conversation_labels').where('tenant_id', '=', label.tenant_id).where('label_id', '=', label.id).execute();
      await withLabels(trx).deleteFrom('labels').where('tenant_id', '=', label.tenant_id).where('id', '=', label.id).execute();
    });
    await publishCatalogue(label.tenant_id, label.id);
    return reply.status(204).send();
  });

  // Labels on one conversation.
  const findConversation = async (request: FastifyRequest, id: string) => {
    const row = await ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', request.auth.tenantId).where('id', '=', id).executeTakeFirst();
    if (!row || !canSeeConversation(await accessScope(ctx, request.auth), row)) throw notFound('conversation', id);
    return row;
  };
  const answer = async (conversation: { id: string; tenant_id: string; number_id: string | null }, changed: boolean) => {
    if (changed) ctx.events.publish({ type: 'conversation.updated', tenantId: conversation.tenant_id, numberId: conversation.number_id, data: { id: conversation.id } });
    return { id: conversation.id, labels: (await labelsOfConversations(ctx.db, [conversation.id])).get(conversation.id) ?? [] };
  };

  /** Makes exactly these labels the conversation's. */
  app.put<{ Params: { id: string }; Body: Static<typeof SetLabels> }>('/conversations/:id/labels', { schema: { tags: ['labels'], body: SetLabels } }, async (request) => {
    const conversation = await findConversation(request, request.params.id);
    const labelIds = await requireTenantLabels(ctx.db, conversation.tenant_id, request.body.labelIds);
    return answer(conversation, await changeConversationLabels(ctx.db, conversation, { add: labelIds, replace: true }));
  });

  /** Adds one label (nothing changes if it is already there). */
  app.put<{ Params: { id: string; labelId: string } }>('/conversations/:id/labels/:labelId', { schema: { tags: ['labels'] } }, async (request) => {
    const conversation = await findConversation(request, request.params.id);
    const label = await find(conversation.tenant_id, request.params.labelId);
    return answer(conversation, await changeConversationLabels(ctx.db, conversation, { add: [label.id] }));
  });

  /** Takes one label off (nothing changes if it was not there). */
  app.delete<{ Params: { id: string; labelId: string } }>('/conversations/:id/labels/:labelId', { schema: { tags: ['labels'] } }, async (request) => {
    const conversation = await findConversation(request, request.params.id);
    const label = await find(conversation.tenant_id, request.params.labelId);
    return answer(conversation, await changeConversationLabels(ctx.db, conversation, { remove: [label.id] }));
  });
}
