/** Users (F15, F16): admins manage people of their own tenant. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import type { UserTable } from '../../../db/schema.js';
import { AppError, notFound } from '../../../errors.js';
import { hashPassword, sha256Hex, verifyPassword } from '../../../lib/crypto.js';
import { requireE164 } from '../../../lib/phone.js';
import { requireAdmin, SESSION_COOKIE } from '../../../plugins/auth.js';
import { createUser, ROLES } from '../../../services/tenants.js';
import { normaliseCallerIds } from '../../../services/routing/permissions.js';
import { routingDb, userSettings } from '../../../services/routing/tables.js';
import type { UserShape } from '../../../lib/api-shapes.js';
import { userRoleKey } from '../../../services/auth-lookups.js';

const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
const SendPermission = Type.Union([Type.Literal('none'), Type.Literal('number'), Type.Literal('sender_id')]);
const Extension = Type.String({ pattern: '^[0-9]{2,8}$' });
const fields = {
  email: Type.String({ format: 'email', maxLength: 320 }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  role: Role,
  password: Type.String({ minLength: 8, maxLength: 1000 }),
  extension: Type.Union([Extension, Type.Null()]),
  mobile: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]),
  sendPermission: SendPermission,
  callerIds: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 100 }),
  groupIds: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 }),
  /** The caller ID picked first when composing; one of callerIds (F16). */
  defaultCallerId: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]),
  /** Email copies of inbound messages on the user's numbers (F11). */
  emailCopies: Type.Boolean(),
};
const CreateUser = Type.Object(
  { ...fields, name: Type.Optional(fields.name), password: Type.Optional(fields.password), extension: Type.Optional(fields.extension), mobile: Type.Optional(fields.mobile), sendPermission: Type.Optional(fields.sendPermission), callerIds: Type.Optional(fields.callerIds), groupIds: Type.Optional(fields.groupIds), defaultCallerId: Type.Optional(fields.defaultCallerId), emailCopies: Type.Optional(fields.emailCopies) },
  { additionalProperties: false },
);
/** `currentPassword` is required when people change their own password. */
const UpdateUser = Type.Partial(Type.Object({ ...fields, currentPassword: Type.String({ minLength: 1, maxLength: 1000 }) }), { additionalProperties: false });

/** What an agent may know about a colleague. */
function colleague(user: UserTable) {
  return { id: user.id, name: user.name, role: user.role, extension: user.extension };
}

export function serializeUser(user: UserTable): Static<typeof UserShape> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    extension: user.extension,
    mobile: user.mobile,
    sendPermission: user.send_permission,
    callerIds: JSON.parse(user.caller_ids) as string[],
    groupIds: JSON.parse(user.group_ids) as string[],
    defaultCallerId: userSettings(user.settings).defaultCallerId ?? null,
    emailCopies: userSettings(user.settings).emailCopies === true,
    createdAt: user.created_at,
  };
}

export async function userRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const find = async (tenantId: string, id: string) => {
    const user = await ctx.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!user) throw notFound('user', id);
    return user;
  };
  const checkGroupIds = async (tenantId: string, groupIds: string[] | undefined) => {
    if (!groupIds?.length) return;
    const found = await routingDb(ctx.db).selectFrom('groups').select('id').where('tenant_id', '=', tenantId).where('id', 'in', groupIds).execute();
    const missing = groupIds.find((id) => !found.some((group) => group.id === id));
    if (missing) throw new AppError('validation_error', `groupIds: "${missing}" is not a group of this tenant`);
  };
  const normaliseMobile = (mobile: string | null | undefined) => (mobile ? requireE164('mobile', mobile, ctx.config.defaultCountry) : mobile);

  app.get('/users', { schema: { tags: ['users'] } }, async (request) => {
    const rows = await ctx.db.selectFrom('users').selectAll().where('tenant_id', '=', request.auth.tenantId).orderBy('created_at').execute();
    // Agents see colleagues as far as assigning and mentioning needs: no emails, mobiles or permissions.
    const show = (row: UserTable) => (request.auth.role === 'agent' && row.id !== request.auth.userId ? colleague(row) : serializeUser(row));
    return { items: rows.map(show), nextCursor: null };
  });

  app.post<{ Body: Static<typeof CreateUser> }>('/users', { schema: { tags: ['users'], body: CreateUser } }, async (request, reply) => {
    requireAdmin(request);
    if (request.body.role === 'owner' && request.auth.role !== 'owner') {
      throw new AppError('owner_required', 'only an owner can create another owner', { statusCode: 403 });
    }
    const { defaultCallerId, emailCopies, ...input } = request.body;
    const callers = await normaliseCallerIds(ctx, request.auth.tenantId, input.callerIds ?? [], defaultCallerId);
    await checkGroupIds(request.auth.tenantId, input.groupIds);
    const user = await createUser(ctx.db, request.auth.tenantId, { ...input, callerIds: callers.callerIds, mobile: normaliseMobile(input.mobile) });
    user.settings = JSON.stringify({ ...userSettings(user.settings), defaultCallerId: callers.defaultCallerId, emailCopies: emailCopies === true });
    await ctx.db.updateTable('users').set({ settings: user.settings }).where('tenant_id', '=', request.auth.tenantId).where('id', '=', user.id).execute();
    return reply.status(201).send(serializeUser(user));
  });

  app.get<{ Params: { id: string } }>('/users/:id', { schema: { tags: ['users'] } }, async (request) => {
    const user = await find(request.auth.tenantId, request.params.id);
    return request.auth.role === 'agent' && user.id !== request.auth.userId ? colleague(user) : serializeUser(user);
  });

  app.patch<{ Params: { id: string }; Body: Static<typeof UpdateUser> }>('/users/:id', { schema: { tags: ['users'], body: UpdateUser } }, async (request) => {
    const self = request.auth.userId === request.params.id;
    const body = request.body;
    // People may change their own name, password and mobile; everything else is an admin's.
    const selfEditable = ['name', 'password', 'currentPassword', 'mobile', 'emailCopies', 'defaultCallerId'];
    if (!self || Object.keys(body).some((key) => !selfEditable.includes(key))) requireAdmin(request);
    const user = await find(request.auth.tenantId, request.params.id);
    // Whatever the credential: an API key acts as admin at most, so it can never change an owner.
    if ((body.role === 'owner' || user.role === 'owner') && request.auth.role !== 'owner' && !self) {
      throw new AppError('owner_required', 'only an owner can change an owner', { statusCode: 403 });
    }
    if (body.password !== undefined && self && request.auth.via === 'session') {
      if (!body.currentPassword || !(await verifyPassword(body.currentPassword, user.password_hash ?? ''))) {
        throw new AppError('invalid_credentials', 'currentPassword is missing or wrong; changing your password needs the current one', { statusCode: 403 });
      }
    }
    const changes: Partial<UserTable> = { updated_at: now() };
    if (body.email !== undefined) changes.email = body.email.toLowerCase();
    if (body.name !== undefined) changes.name = body.name;
    if (body.role !== undefined) changes.role = body.role;
    if (body.password !== undefined) changes.password_hash = await hashPassword(body.password);
    if (body.extension !== undefined) changes.extension = body.extension;
    if (body.mobile !== undefined) changes.mobile = normaliseMobile(body.mobile) ?? null;
    if (body.sendPermission !== undefined) changes.send_permission = body.sendPermission;
    if (body.callerIds !== undefined || body.defaultCallerId !== undefined) {
      const settings = userSettings(user.settings);
      const list = body.callerIds ?? (JSON.parse(user.caller_ids) as string[]);
      // Keep the current default while it is still a caller ID; otherwise the first one becomes it.
      const keep = settings.defaultCallerId && list.includes(settings.defaultCallerId) ? settings.defaultCallerId : undefined;
      const callers = await normaliseCallerIds(ctx, request.auth.tenantId, list, body.defaultCallerId !== undefined ? body.defaultCallerId : keep);
      changes.caller_ids = JSON.stringify(callers.callerIds);
      changes.settings = JSON.stringify({ ...settings, defaultCallerId: callers.defaultCallerId });
    }
    if (body.emailCopies !== undefined) changes.settings = JSON.stringify({ ...userSettings(changes.settings ?? user.settings), emailCopies: body.emailCopies });
    if (body.groupIds !== undefined) {
      await checkGroupIds(request.auth.tenantId, body.groupIds);
      changes.group_ids = JSON.stringify(body.groupIds);
    }
    try {
      await ctx.db.updateTable('users').set(changes).where('tenant_id', '=', request.auth.tenantId).where('id', '=', user.id).execute();
    } catch (error) {
      if (/unique|duplicate/i.test((error as Error).message)) throw new AppError('conflict', 'that email or extension is already taken');
      throw error;
    }
    // Their API keys act with their role from the next request on, on every node.
    if (changes.role !== undefined) ctx.userRoles.changed(userRoleKey(request.auth.tenantId, user.id));
    if (body.password !== undefined) {
      // A new password ends every other session of that person.
      const currentSession = request.cookies[SESSION_COOKIE];
      let ending = ctx.db.deleteFrom('sessions').where('tenant_id', '=', request.auth.tenantId).where('user_id', '=', user.id);
      if (self && currentSession) ending = ending.where('id', '!=', sha256Hex(currentSession));
      await ending.execute();
    }
    return serializeUser({ ...user, ...changes });
  });

  app.delete<{ Params: { id: string } }>('/users/:id', { schema: { tags: ['users'] } }, async (request, reply) => {
    requireAdmin(request);
    const user = await find(request.auth.tenantId, request.params.id);
    if (user.id === request.auth.userId) throw new AppError('conflict', 'you cannot delete yourself');
    if (user.role === 'owner') {
      const owners = await ctx.db.selectFrom('users').select('id').where('tenant_id', '=', request.auth.tenantId).where('role', '=', 'owner').execute();
      if (owners.length <= 1) throw new AppError('conflict', 'a tenant keeps at least one owner');
    }
    await ctx.db.deleteFrom('users').where('tenant_id', '=', request.auth.tenantId).where('id', '=', user.id).execute();
    ctx.userRoles.changed(userRoleKey(request.auth.tenantId, user.id));
    return reply.status(204).send();
  });
}
