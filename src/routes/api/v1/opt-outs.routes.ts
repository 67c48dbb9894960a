/** The opt-out list (F27) for admins: list (JSON or CSV), add by hand, remove. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { AppError, notFound } from '../../../errors.js';
import { requireE164, toE164 } from '../../../lib/phone.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { csvCell } from '../../../services/routing/csv.js';
import { addOptOut, deleteOptOut, TENANT_SCOPE } from '../../../services/routing/opt-outs.js';
import { routingDb, type OptOutTable } from '../../../services/routing/tables.js';
import { tenantDefaultCountry } from '../../../services/tenant-settings.js';
import { decodeCursor, page, PagingQuery } from './paging.js';

const ListQuery = Type.Object(
  { ...PagingQuery, phone: Type.Optional(Type.String({ maxLength: 40 })), numberId: Type.Optional(Type.String({ maxLength: 100 })), format: Type.Optional(Type.Literal('csv')) },
  { additionalProperties: false },
);
const CreateOptOut = Type.Object(
  {
    phone: Type.String({ minLength: 3, maxLength: 40 }),
    /** The number opted out of; null or absent for every number of the tenant. */
    numberId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    defaultCountry: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
    detail: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export function serializeOptOut(row: OptOutTable, numbers: Map<string, string>) {
  const numberId = row.scope === TENANT_SCOPE ? null : row.scope;
  return { id: row.id, phone: row.phone, numberId, number: numberId ? (numbers.get(numberId) ?? null) : null, scope: numberId ? 'number' : 'tenant', source: row.source, detail: row.detail, createdAt: row.created_at };
}

const CSV_COLUMNS = ['id', 'phone', 'scope', 'number', 'source', 'detail', 'createdAt'] as const;

export async function optOutRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const db = routingDb(ctx.db);
  const numberMap = async (tenantId: string) => new Map((await ctx.db.selectFrom('numbers').select(['id', 'number']).where('tenant_id', '=', tenantId).execute()).map((n) => [n.id, n.number]));

  app.get<{ Querystring: Static<typeof ListQuery> }>('/opt-outs', { schema: { tags: ['compliance'], querystring: ListQuery } }, async (request, reply) => {
    requireAdmin(request);
    const q = request.query;
    const tenantId = request.auth.tenantId;
    let query = db.selectFrom('opt_outs').selectAll().where('tenant_id', '=', tenantId);
    if (q.phone) query = query.where('phone', '=', toE164(q.phone, await tenantDefaultCountry(ctx, tenantId)) ?? q.phone);
    if (q.numberId) query = query.where('scope', 'in', [q.numberId, TENANT_SCOPE]);
    const numbers = await numberMap(tenantId);
    if (q.format === 'csv' || /text\/csv/.test(request.headers.accept ?? '')) {
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(200_000).execute();
      const lines = [CSV_COLUMNS.join(','), ...rows.map((row) => {
        const item = serializeOptOut(row, numbers);
        return CSV_COLUMNS.map((column) => csvCell(item[column])).join(',');
      })];
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="opt-outs-${new Date().toISOString().slice(0, 10)}.csv"`)
        .send(lines.join('\n') + '\n');
    }
    const limit = q.limit ?? 50;
    const cursor = decodeCursor(q.cursor);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const result = page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
    return { items: result.items.map((row) => serializeOptOut(row, numbers)), nextCursor: result.nextCursor };
  });

  app.post<{ Body: Static<typeof CreateOptOut> }>('/opt-outs', { schema: { tags: ['compliance'], body: CreateOptOut } }, async (request, reply) => {
    requireAdmin(request);
    const tenantId = request.auth.tenantId;
    const body = request.body;
    let scope = TENANT_SCOPE;
    if (body.numberId) {
      const number = await ctx.db.selectFrom('numbers').select('id').where('tenant_id', '=', tenantId).where('id', '=', body.numberId).executeTakeFirst();
      if (!number) throw new AppError('validation_error', `numberId "${body.numberId}" is not a number of this tenant`);
      scope = number.id;
    }
    const phone = requireE164('phone', body.phone, body.defaultCountry ?? (await tenantDefaultCountry(ctx, tenantId)));
    const added = await addOptOut(ctx, { tenantId, phone, scope, source: 'admin', detail: body.detail ?? null });
    if (!added) throw new AppError('conflict', `${phone} is already opted out of ${scope === TENANT_SCOPE ? 'this tenant' : 'that number'}`);
    const row = await db.selectFrom('opt_outs').selectAll().where('tenant_id', '=', tenantId).where('phone', '=', phone).where('scope', '=', scope).executeTakeFirstOrThrow();
    const shown = serializeOptOut(row, await numberMap(tenantId));
    ctx.events.publish({ type: 'optout.changed', tenantId, data: { ...shown, optedOut: true } });
    return reply.status(201).send(shown);
  });

  app.delete<{ Params: { id: string } }>('/opt-outs/:id', { schema: { tags: ['compliance'] } }, async (request, reply) => {
    requireAdmin(request);
    const existing = await deleteOptOut(ctx, request.auth.tenantId, request.params.id);
    if (!existing) throw notFound('opt-out', request.params.id);
    ctx.events.publish({ type: 'optout.changed', tenantId: existing.tenant_id, data: { ...serializeOptOut(existing, await numberMap(existing.tenant_id)), optedOut: false } });
    return reply.status(204).send();
  });
}
