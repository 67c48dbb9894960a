/** The audit log (F29): owners (and admin-scoped API keys) read who changed what, with filters and CSV. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import type { AuditLogTable } from '../../../db/schema.js';
import { AppError } from '../../../errors.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { purgeExpiredAudit } from '../../../services/audit-retention.js';
import { decodeCursor, page, PagingQuery } from './paging.js';
import { writeHijackedHead } from '../../../plugins/security-headers.js';

const ListQuery = Type.Object(
  {
    ...PagingQuery,
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actorType: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('api_key'), Type.Literal('system')])),
    actorId: Type.Optional(Type.String({ maxLength: 100 })),
    targetType: Type.Optional(Type.String({ maxLength: 100 })),
    targetId: Type.Optional(Type.String({ maxLength: 100 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    format: Type.Optional(Type.Literal('csv')),
  },
  { additionalProperties: false },
);
type ListQuery = Static<typeof ListQuery>;

const CSV_COLUMNS = ['id', 'createdAt', 'actorType', 'actorId', 'actorName', 'sourceIp', 'action', 'targetType', 'targetId', 'targetLabel', 'changes'] as const;

function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Cells starting with = + - @ would run as formulas in spreadsheets.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function requireOwner(request: FastifyRequest): void {
  requireAdmin(request);
  if (request.auth.via === 'session' && request.auth.role !== 'owner') throw new AppError('owner_required', 'only owners can read the audit log', { statusCode: 403 });
}

export async function auditLogRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  function filtered(tenantId: string, q: ListQuery) {
    let query = ctx.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
    if (q.action) query = q.action.endsWith('.*') ? query.where('action', 'like', `${q.action.slice(0, -2).replace(/[%_\\]/g, '')}.%`) : query.where('action', '=', q.action);
    if (q.actorType) query = query.where('actor_type', '=', q.actorType);
    if (q.actorId) query = query.where('actor_id', '=', q.actorId);
    if (q.targetType) query = query.where('target_type', '=', q.targetType);
    if (q.targetId) query = query.where('target_id', '=', q.targetId);
    if (q.since) query = query.where('created_at', '>=', new Date(q.since).toISOString());
    if (q.until) query = query.where('created_at', '<', new Date(q.until).toISOString());
    return query;
  }

  async function serialize(tenantId: string, rows: AuditLogTable[]) {
    const userIds = [...new Set(rows.filter((r) => r.actor_type === 'user' && r.actor_id).map((r) => r.actor_id!))];
    const keyIds = [...new Set(rows.filter((r) => r.actor_type === 'api_key' && r.actor_id).map((r) => r.actor_id!))];
    const users = userIds.length ? await ctx.db.selectFrom('users').select(['id', 'name', 'email']).where('tenant_id', '=', tenantId).where('id', 'in', userIds).execute() : [];
    const keys = keyIds.length ? await ctx.db.selectFrom('api_keys').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', keyIds).execute() : [];
    return rows.map((row) => {
      const user = users.find((u) => u.id === row.actor_id);
      const key = keys.find((k) => k.id === row.actor_id);
      return {
        id: row.id,
        createdAt: row.created_at,
        actor: { type: row.actor_type, id: row.actor_id, name: row.actor_type === 'user' ? (user ? `${user.name} <${user.email}>` : null) : row.actor_type === 'api_key' ? (key ? `API key "${key.name}"` : null) : 'system' },
        sourceIp: row.source_ip,
        action: row.action,
        target: { type: row.target_type, id: row.target_id, label: row.target_label },
        changes: row.changes ? (JSON.parse(row.changes) as unknown) : null,
      };
    });
  }

  app.get<{ Querystring: ListQuery }>('/audit-log', { schema: { tags: ['audit'], querystring: ListQuery } }, async (request, reply) => {
    requireOwner(request);
    const tenantId = request.auth.tenantId;
    await purgeExpiredAudit(ctx.db, tenantId);
    if (request.query.format === 'csv' || /text\/csv/.test(request.headers.accept ?? '')) return exportCsv(tenantId, request.query, reply);
    const limit = request.query.limit ?? 50;
    let query = filtered(tenantId, request.query);
    const cursor = decodeCursor(request.query.cursor);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const result = page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
    return { items: await serialize(tenantId, result.items), nextCursor: result.nextCursor };
  });

  async function exportCsv(tenantId: string, q: ListQuery, reply: FastifyReply) {
    reply.hijack();
    writeHijackedHead(reply, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="audit-log-${new Date().toISOString().slice(0, 10)}.csv"` });
    reply.raw.write(CSV_COLUMNS.join(',') + '\n');
    let after: { at: string; id: string } | null = null;
    for (;;) {
      let query = filtered(tenantId, q);
      const cursor: { at: string; id: string } | null = after;
      if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1000).execute();
      for (const entry of await serialize(tenantId, rows)) {
        const values = { id: entry.id, createdAt: entry.createdAt, actorType: entry.actor.type, actorId: entry.actor.id, actorName: entry.actor.name, sourceIp: entry.sourceIp, action: entry.action, targetType: entry.target.type, targetId: entry.target.id, targetLabel: entry.target.label, changes: entry.changes };
        reply.raw.write(CSV_COLUMNS.map((column) => csvCell(values[column])).join(',') + '\n');
      }
      if (rows.length < 1000) break;
      const last = rows[rows.length - 1]!;
      after = { at: last.created_at, id: last.id };
    }
    reply.raw.end();
    return reply;
  }
}
