/** Audit retention (F29): entries older than the tenant's auditRetentionDays are deleted. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { getGeneralSettings } from './tenant-settings.js';

/** Runs whenever the log is read (so expired entries are never shown) and on the retention schedule (services/retention.ts). */
export async function purgeExpiredAudit(db: Kysely<Database>, tenantId: string): Promise<number> {
  const { auditRetentionDays } = await getGeneralSettings(db, tenantId);
  const cutoff = new Date(Date.now() - auditRetentionDays * 86_400_000).toISOString();
  const result = await db.deleteFrom('audit_log').where('tenant_id', '=', tenantId).where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
