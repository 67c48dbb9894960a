import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Hardening (issue 10): jobs know their tenant (fair claiming), API keys remember who made them
 * and the role they act with, sessions expire when idle, sign-in throttling is shared by every
 * node, and the instance remembers a fingerprint of SECRET_KEY.
 */
export function hardeningSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('jobs').addColumn('tenant_id', 'text').execute();
      await db.schema.alterTable('api_keys').addColumn('created_by', 'text').execute();
      await db.schema.alterTable('api_keys').addColumn('role', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('last_seen_at', 'text').execute();
      await db.schema
        .createTable('auth_throttle')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_started_at', 'text', (c) => c.notNull())
        .addColumn('blocked_until', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('instance_settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_log_created').on('webhook_log').column('created_at').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('webhook_log_created').execute();
      await db.schema.dropTable('instance_settings').execute();
      await db.schema.dropTable('auth_throttle').execute();
      await db.schema.alterTable('sessions').dropColumn('last_seen_at').execute();
      await db.schema.alterTable('api_keys').dropColumn('role').execute();
      await db.schema.alterTable('api_keys').dropColumn('created_by').execute();
      await db.schema.alterTable('jobs').dropColumn('tenant_id').execute();
    },
  };
}
