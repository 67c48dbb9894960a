import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Dashboard (F10): Web Push subscriptions, one row per browser/device of a user. The per-user
 * on/off switch lives in users.settings (`pushEnabled`), so no column is added there.
 */
export function dashboardSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('push_subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('p256dh', 'text', (c) => c.notNull())
        .addColumn('auth', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_success_at', 'text')
        .addColumn('last_error', 'text')
        .execute();
      // A browser's endpoint is unique; re-subscribing the same browser replaces its row.
      await db.schema.createIndex('push_subscriptions_endpoint').unique().on('push_subscriptions').column('endpoint').execute();
      await db.schema.createIndex('push_subscriptions_user').on('push_subscriptions').columns(['tenant_id', 'user_id']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('push_subscriptions').execute();
    },
  };
}
