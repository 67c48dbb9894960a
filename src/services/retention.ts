/**
 * Retention (issue 10, item 13): what unauthenticated traffic and time pile up is deleted on a
 * schedule — webhook diagnostics, expired and idle sessions, dead jobs, stale sign-in counters,
 * and (when RETENTION_MEDIA_DAYS is set) old media. Every node may run it; deletes are idempotent.
 */
import type { AppContext } from '../context.js';
import { purgeExpiredAudit } from './audit-retention.js';
import { purgeSignInThrottle } from './sign-in-throttle.js';

const DAY_MS = 24 * 60 * 60_000;

export async function applyRetention(ctx: AppContext, at = Date.now()): Promise<Record<string, number>> {
  const { retention } = ctx.config;
  const before = (ms: number) => new Date(at - ms).toISOString();
  const deleted: Record<string, number> = {};
  const count = (result: { numDeletedRows: bigint | number }) => Number(result.numDeletedRows);
  deleted.webhookLog = count(await ctx.db.deleteFrom('webhook_log').where('created_at', '<', before(retention.webhookLogDays * DAY_MS)).executeTakeFirst());
  deleted.sessions = count(
    await ctx.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<', before(0)), eb(eb.fn.coalesce('last_seen_at', 'created_at'), '<', before(retention.sessionIdleMinutes * 60_000))]))
      .executeTakeFirst(),
  );
  deleted.deadJobs = count(await ctx.db.deleteFrom('jobs').where('dead', '=', 1).where('created_at', '<', before(retention.deadJobsDays * DAY_MS)).executeTakeFirst());
  await purgeSignInThrottle(ctx.db);
  deleted.media = retention.mediaDays > 0 ? await ctx.media.purgeOlderThan(before(retention.mediaDays * DAY_MS)) : 0;
  // The audit log follows each tenant's own retention setting.
  deleted.audit = 0;
  for (const tenant of await ctx.db.selectFrom('tenants').select('id').execute()) deleted.audit += await purgeExpiredAudit(ctx.db, tenant.id);
  return deleted;
}

/** Runs retention every `intervalMs` until the returned stop function is called. */
export function scheduleRetention(ctx: AppContext, intervalMs = 10 * 60_000): () => void {
  const run = () =>
    applyRetention(ctx).then(
      (deleted) => ctx.log.debug({ deleted }, 'retention applied'),
      (error) => ctx.log.error({ err: error }, 'retention failed; it runs again later'),
    );
  const timer = setInterval(run, intervalMs);
  timer.unref();
  setTimeout(run, 30_000).unref();
  return () => clearInterval(timer);
}
