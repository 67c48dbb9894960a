/** Groups (F15): named sets of users; numbers route to groups through destinations.groupIds. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import { AppError, notFound } from '../../../errors.js';
import { newId } from '../../../lib/ids.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { parseDestinations } from '../../../services/access.js';
import { routingDb, withRouting, type GroupTable } from '../../../services/routing/tables.js';
import { numberChanged } from '../../../services/number-rows.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const UserIds = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 1000 });
const CreateGroup = Type.Object({ name: Name, userIds: Type.Optional(UserIds) }, { additionalProperties: false });
const UpdateGroup = Type.Object({ name: Type.Optional(Name), userIds: Type.Optional(UserIds) }, { additionalProperties: false });

export async function groupRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const db = routingDb(ctx.db);

  const members = async (tenantId: string) => {
    const users = await ctx.db.selectFrom('users').select(['id', 'group_ids']).where('tenant_id', '=', tenantId).orderBy('created_at').execute();
    return users.map((user) => ({ id: user.id, groups: JSON.parse(user.group_ids) as string[] }));
  };
  const serialize = (group: GroupTable, users: Array<{ id: string; groups: string[] }>) => ({
    id: group.id,
    name: group.name,
    userIds: users.filter((user) => user.groups.includes(group.id)).map((user) => user.id),
    createdAt: group.created_at,
    updatedAt: group.updated_at,
  });
  const find = async (tenantId: string, id: string) => {
    const group = await db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!group) throw notFound('group', id);
    return group;
  };
  /** Makes exactly `userIds` the members of the group. */
  const setMembers = async (tenantId: string, groupId: string, userIds: string[]) => {
    const users = await members(tenantId);
    const unknown = userIds.find((id) => !users.some((user) => user.id === id));
    if (unknown) throw new AppError('validation_error', `userIds: "${unknown}" is not a user of this tenant`);
    await ctx.db.transaction().execute(async (trx) => {
      for (const user of users) {
        const wanted = userIds.includes(user.id);
        const has = user.groups.includes(groupId);
        if (wanted === has) continue;
        const groups = wanted ? [...user.groups, groupId] : user.groups.filter((g) => g !== groupId);
        await trx.updateTable('users').set({ group_ids: JSON.stringify(groups), updated_at: now() }).where('tenant_id', '=', tenantId).where('id', '=', user.id).execute();
      }
    });
  };
  const nameTaken = (error: unknown) => /unique|duplicate/i.test((error as Error).message);

  app.get('/groups', { schema: { tags: ['groups'] } }, async (request) => {
    const rows = await db.selectFrom('groups').selectAll().where('tenant_id', '=', request.auth.tenantId).orderBy('name').execute();
    const users = await members(request.auth.tenantId);
    return { items: rows.map((row) => serialize(row, users)), nextCursor: null };
  });

  app.post<{ Body: Static<typeof CreateGroup> }>('/groups', { schema: { tags: ['groups'], body: CreateGroup } }, async (request, reply) => {
    requireAdmin(request);
    const at = now();
    const group: GroupTable = { id: newId('grp'), tenant_id: request.auth.tenantId, name: request.body.name.trim(), created_at: at, updated_at: at };
    if (!group.name) throw new AppError('validation_error', 'name must not be empty');
    try {
      await db.insertInto('groups').values(group).execute();
    } catch (error) {
      if (nameTaken(error)) throw new AppError('conflict', `a group named "${group.name}" already exists`);
      throw error;
    }
    if (request.body.userIds) await setMembers(request.auth.tenantId, group.id, request.body.userIds);
    return reply.status(201).send(serialize(group, await members(request.auth.tenantId)));
  });

  app.get<{ Params: { id: string } }>('/groups/:id', { schema: { tags: ['groups'] } }, async (request) => {
    return serialize(await find(request.auth.tenantId, request.params.id), await members(request.auth.tenantId));
  });

  app.patch<{ Params: { id: string }; Body: Static<typeof UpdateGroup> }>('/groups/:id', { schema: { tags: ['groups'], body: UpdateGroup } }, async (request) => {
    requireAdmin(request);
    const group = await find(request.auth.tenantId, request.params.id);
    const changes: Partial<GroupTable> = { updated_at: now() };
    if (request.body.name !== undefined) {
      changes.name = request.body.name.trim();
      if (!changes.name) throw new AppError('validation_error', 'name must not be empty');
    }
    try {
      await db.updateTable('groups').set(changes).where('tenant_id', '=', request.auth.tenantId).where('id', '=', group.id).execute();
    } catch (error) {
      if (nameTaken(error)) throw new AppError('conflict', `a group named "${changes.name}" already exists`);
      throw error;
    }
    if (request.body.userIds) await setMembers(request.auth.tenantId, group.id, request.body.userIds);
    return serialize({ ...group, ...changes }, await members(request.auth.tenantId));
  });

  app.delete<{ Params: { id: string } }>('/groups/:id', { schema: { tags: ['groups'] } }, async (request, reply) => {
    requireAdmin(request);
    const tenantId = request.auth.tenantId;
    const group = await find(tenantId, request.params.id);
    await setMembers(tenantId, group.id, []);
    // Numbers stop routing to a group that no longer exists.
    const numbers = await ctx.db.selectFrom('numbers').select(['id', 'tenant_id', 'number', 'destinations']).where('tenant_id', '=', tenantId).execute();
    const changed: typeof numbers = [];
    await ctx.db.transaction().execute(async (trx) => {
      for (const number of numbers) {
        const destinations = parseDestinations(number.destinations);
        if (!destinations.groupIds?.includes(group.id)) continue;
        destinations.groupIds = destinations.groupIds.filter((id) => id !== group.id);
        await trx.updateTable('numbers').set({ destinations: JSON.stringify(destinations), updated_at: now() }).where('tenant_id', '=', tenantId).where('id', '=', number.id).execute();
        changed.push(number);
      }
      await withRouting(trx).deleteFrom('groups').where('tenant_id', '=', tenantId).where('id', '=', group.id).execute();
    });
    for (const number of changed) numberChanged(ctx, number);
    return reply.status(204).send();
  });
}
