/** Numbers (F8, F12, F18): which provider account each uses and where its messages go. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import type { NumberTable } from '../../../db/schema.js';
import { AppError, notFound } from '../../../errors.js';
import { newId } from '../../../lib/ids.js';
import { isSenderId, requireE164 } from '../../../lib/phone.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { sendableNumberIds } from '../../../services/inbox/sendable-numbers.js';
import { visibleNumberIds } from '../../../services/access.js';
import type { PhoneNumberShape } from '../../../lib/api-shapes.js';
import { receivingNumberKey } from '../../../services/receiving-numbers.js';
import { numberChanged } from '../../../services/number-rows.js';

const Destinations = Type.Object(
  {
    userIds: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })),
    extensions: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{2,8}$' }), { maxItems: 100 })),
    emails: Type.Optional(Type.Array(Type.String({ format: 'email', maxLength: 320 }), { maxItems: 50 })),
    groupIds: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })),
    /** Every user with one of these roles (F15), e.g. ["agent"] for a shared line. */
    roles: Type.Optional(Type.Array(Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('agent')]), { maxItems: 3 })),
  },
  { additionalProperties: false },
);
const fields = {
  number: Type.String({ minLength: 2, maxLength: 40 }),
  providerAccountId: Type.String({ minLength: 1, maxLength: 100 }),
  destinations: Destinations,
  systemNotification: Type.Boolean(),
  defaultCountry: Type.Union([Type.String({ pattern: '^[A-Za-z]{2}$' }), Type.Null()]),
  mps: Type.Union([Type.Number({ minimum: 0, maximum: 10_000 }), Type.Null()]),
  name: Type.String({ maxLength: 200 }),
};
const CreateNumber = Type.Object(
  { number: fields.number, providerAccountId: fields.providerAccountId, destinations: Type.Optional(fields.destinations), systemNotification: Type.Optional(fields.systemNotification), defaultCountry: Type.Optional(fields.defaultCountry), mps: Type.Optional(fields.mps) },
  { additionalProperties: false },
);
const UpdateNumber = Type.Partial(Type.Object({ providerAccountId: fields.providerAccountId, destinations: fields.destinations, systemNotification: fields.systemNotification, defaultCountry: fields.defaultCountry, mps: fields.mps }), { additionalProperties: false });

export function serializeNumber(row: NumberTable): Static<typeof PhoneNumberShape> {
  return {
    id: row.id,
    number: row.number,
    providerAccountId: row.provider_account_id,
    destinations: JSON.parse(row.destinations) as Static<typeof Destinations>,
    systemNotification: row.system_notification === 1,
    defaultCountry: row.default_country,
    mps: row.mps,
    createdAt: row.created_at,
  };
}

export async function numberRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const find = async (tenantId: string, id: string) => {
    const row = await ctx.db.selectFrom('numbers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('number', id);
    return row;
  };

  app.get('/numbers', { schema: { tags: ['numbers'] } }, async (request) => {
    // Agents see the numbers routed to them, not the whole tenant's (least privilege).
    const visible = await visibleNumberIds(ctx, request.auth);
    const all = await ctx.db.selectFrom('numbers').selectAll().where('tenant_id', '=', request.auth.tenantId).orderBy('number').execute();
    const rows = visible ? all.filter((row) => visible.includes(row.id)) : all;
    // Compose shows each number as "label · provider" and offers only those the caller may send from.
    const [accounts, sendable] = await Promise.all([
      ctx.db.selectFrom('provider_accounts').select(['id', 'name', 'type']).where('tenant_id', '=', request.auth.tenantId).execute(),
      sendableNumberIds(ctx, request.auth, rows),
    ]);
    const accountById = new Map(accounts.map((account) => [account.id, account]));
    const items = rows.map((row) => ({ ...serializeNumber(row), label: accountById.get(row.provider_account_id)?.name ?? null, providerType: accountById.get(row.provider_account_id)?.type ?? null, canSend: sendable.has(row.id) }));
    return { items, nextCursor: null };
  });

  app.post<{ Body: Static<typeof CreateNumber> }>('/numbers', { schema: { tags: ['numbers'], body: CreateNumber } }, async (request, reply) => {
    requireAdmin(request);
    const body = request.body;
    const account = await ctx.accounts.get(request.auth.tenantId, body.providerAccountId);
    const defaultCountry = body.defaultCountry?.toUpperCase() ?? null;
    const number = isSenderId(body.number) ? body.number.trim() : requireE164('number', body.number, defaultCountry ?? ctx.config.defaultCountry);
    if (isSenderId(number) && !ctx.accounts.module(account.type).manifest.capabilities.senderId) {
      throw new AppError('validation_error', `${account.type} does not allow alphanumeric sender IDs such as "${number}"`);
    }
    const clash = await ctx.db.selectFrom('numbers').select('id').where('tenant_id', '=', request.auth.tenantId).where('number', '=', number).executeTakeFirst();
    if (clash) throw new AppError('conflict', `${number} is already set up (number ${clash.id})`);
    const at = now();
    const row: NumberTable = {
      id: newId('num'),
      tenant_id: request.auth.tenantId,
      number,
      provider_account_id: account.id,
      destinations: JSON.stringify(body.destinations ?? {}),
      system_notification: body.systemNotification ? 1 : 0,
      default_country: defaultCountry,
      mps: body.mps ?? null,
      next_send_at: null,
      created_at: at,
      updated_at: at,
    };
    try {
      await ctx.db.insertInto('numbers').values(row).execute();
    } catch (error) {
      if (/unique|duplicate/i.test((error as Error).message)) throw new AppError('conflict', `${number} is already set up on this provider account`);
      throw error;
    }
    return reply.status(201).send(serializeNumber(row));
  });

  app.get<{ Params: { id: string } }>('/numbers/:id', { schema: { tags: ['numbers'] } }, async (request) => {
    const visible = await visibleNumberIds(ctx, request.auth);
    if (visible && !visible.includes(request.params.id)) throw notFound('number', request.params.id);
    return serializeNumber(await find(request.auth.tenantId, request.params.id));
  });

  app.patch<{ Params: { id: string }; Body: Static<typeof UpdateNumber> }>('/numbers/:id', { schema: { tags: ['numbers'], body: UpdateNumber } }, async (request) => {
    requireAdmin(request);
    const row = await find(request.auth.tenantId, request.params.id);
    const body = request.body;
    const changes: Partial<NumberTable> = { updated_at: now() };
    if (body.providerAccountId !== undefined) changes.provider_account_id = (await ctx.accounts.get(request.auth.tenantId, body.providerAccountId)).id;
    if (body.destinations !== undefined) changes.destinations = JSON.stringify(body.destinations);
    if (body.systemNotification !== undefined) changes.system_notification = body.systemNotification ? 1 : 0;
    if (body.defaultCountry !== undefined) changes.default_country = body.defaultCountry?.toUpperCase() ?? null;
    if (body.mps !== undefined) changes.mps = body.mps;
    await ctx.db.updateTable('numbers').set(changes).where('tenant_id', '=', request.auth.tenantId).where('id', '=', row.id).execute();
    if (changes.provider_account_id && changes.provider_account_id !== row.provider_account_id) ctx.receivingNumbers.changed(receivingNumberKey(row.provider_account_id, row.number));
    numberChanged(ctx, row);
    return serializeNumber({ ...row, ...changes });
  });

  app.delete<{ Params: { id: string } }>('/numbers/:id', { schema: { tags: ['numbers'] } }, async (request, reply) => {
    requireAdmin(request);
    const row = await find(request.auth.tenantId, request.params.id);
    await ctx.db.deleteFrom('numbers').where('tenant_id', '=', request.auth.tenantId).where('id', '=', row.id).execute();
    ctx.receivingNumbers.changed(receivingNumberKey(row.provider_account_id, row.number));
    numberChanged(ctx, row);
    return reply.status(204).send();
  });
}
