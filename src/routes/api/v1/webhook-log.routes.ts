/** GET /webhook-log (F34): every webhook request with its verdict, for the admin's diagnostics. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { PagingQuery } from './paging.js';
import type { WebhookLogEntryShape } from '../../../lib/api-shapes.js';

const Query = Type.Object(
  { ...PagingQuery, providerAccountId: Type.Optional(Type.String({ maxLength: 100 })), verdict: Type.Optional(Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('refused')])) },
  { additionalProperties: false },
);

export async function webhookLogRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get<{ Querystring: Static<typeof Query> }>('/webhook-log', { schema: { tags: ['admin'], querystring: Query } }, async (request) => {
    requireAdmin(request);
    const limit = request.query.limit ?? 50;
    let query = ctx.db.selectFrom('webhook_log').selectAll().where('tenant_id', '=', request.auth.tenantId);
    if (request.query.providerAccountId) query = query.where('provider_account_id', '=', request.query.providerAccountId);
    if (request.query.verdict) query = query.where('verdict', '=', request.query.verdict);
    const before = request.query.cursor ? Number(Buffer.from(request.query.cursor, 'base64url').toString()) : null;
    if (before && Number.isFinite(before)) query = query.where('id', '<', before);
    const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit);
    return {
      items: items.map((row): Static<typeof WebhookLogEntryShape> => ({ id: row.id, providerType: row.provider_type, providerAccountId: row.provider_account_id, method: row.method, url: row.url, verdict: row.verdict, reason: row.reason, httpStatus: row.http_status, remoteIp: row.remote_ip, transport: row.transport, createdAt: row.created_at })),
      nextCursor: rows.length > limit ? Buffer.from(String(items[items.length - 1]!.id)).toString('base64url') : null,
    };
  });
}
