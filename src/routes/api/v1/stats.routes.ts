/** Dashboard statistics: messages per day by status (F22's chart). */
import { Type, type Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { visibleNumberIds } from '../../../services/access.js';

const Query = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 14 })) }, { additionalProperties: false });

export async function statsRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get<{ Querystring: Static<typeof Query> }>('/stats/messages-per-day', { schema: { tags: ['messages'], querystring: Query } }, async (request) => {
    const days = request.query.days ?? 14;
    const start = new Date();
    start.setUTCHours(0, 0, 0, 0);
    start.setUTCDate(start.getUTCDate() - (days - 1));
    const visible = await visibleNumberIds(ctx, request.auth);
    // Timestamps are fixed-width ISO text, so the first ten characters are the UTC day.
    const day = sql<string>`substr(created_at, 1, 10)`;
    let query = ctx.db
      .selectFrom('messages')
      .select([day.as('day'), 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('tenant_id', '=', request.auth.tenantId)
      .where('created_at', '>=', start.toISOString());
    if (visible) query = query.where('number_id', 'in', visible.length ? visible : ['-']);
    const rows = await query.groupBy([day, 'status']).execute();
    const series: Array<{ date: string; total: number; byStatus: Record<string, number> }> = [];
    for (let i = 0; i < days; i += 1) {
      const date = new Date(start.getTime() + i * 86_400_000).toISOString().slice(0, 10);
      series.push({ date, total: 0, byStatus: {} });
    }
    const index = new Map(series.map((entry) => [entry.date, entry]));
    const statuses = new Set<string>();
    for (const row of rows) {
      const entry = index.get(row.day);
      if (!entry) continue;
      const n = Number(row.n);
      entry.byStatus[row.status] = (entry.byStatus[row.status] ?? 0) + n;
      entry.total += n;
      statuses.add(row.status);
    }
    return { days: series, statuses: [...statuses].sort() };
  });
}
