import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Team inbox (issue 12): a conversation's status (open, pending, resolved, snoozed until a time),
 * and private notes in a thread with the users they mention.
 */
export function inboxSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('conversations').addColumn('status', 'text', (c) => c.notNull().defaultTo('open')).execute();
      await db.schema.alterTable('conversations').addColumn('snoozed_until', 'text').execute();
      await db.schema.createIndex('conversations_status').on('conversations').columns(['tenant_id', 'status', 'updated_at']).execute();
      await db.schema
        .createTable('conversation_notes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('mentions', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('conversation_notes_thread').on('conversation_notes').columns(['tenant_id', 'conversation_id', 'created_at']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('conversation_notes').execute();
      await db.schema.dropIndex('conversations_status').execute();
      await db.schema.alterTable('conversations').dropColumn('snoozed_until').execute();
      await db.schema.alterTable('conversations').dropColumn('status').execute();
    },
  };
}
