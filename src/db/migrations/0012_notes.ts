import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Private notes in a conversation thread (issue 12): written by team members, never sent.
 * author_id has no foreign key so a note outlives its author's account; mentioned_user_ids is a
 * JSON list of user ids.
 */
export function notesSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('conversation_notes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
        .addColumn('author_id', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('mentioned_user_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('conversation_notes_thread').on('conversation_notes').columns(['tenant_id', 'conversation_id', 'created_at']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('conversation_notes_thread').execute();
      await db.schema.dropTable('conversation_notes').execute();
    },
  };
}
