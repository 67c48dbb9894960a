import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/** Team inbox (issue 12): a conversation's status (open, pending, resolved, snoozed until a time). */
export function inboxSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('conversations').addColumn('status', 'text', (c) => c.notNull().defaultTo('open')).execute();
      await db.schema.alterTable('conversations').addColumn('snoozed_until', 'text').execute();
      await db.schema.createIndex('conversations_status').on('conversations').columns(['tenant_id', 'status', 'updated_at']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('conversations_status').execute();
      await db.schema.alterTable('conversations').dropColumn('snoozed_until').execute();
      await db.schema.alterTable('conversations').dropColumn('status').execute();
    },
  };
}
