import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Conversation labels (issue 12): a tenant's labels, unique by name whatever its case (name_key
 * is the trimmed, lower-cased name), and which conversations carry which label.
 */
export function labelsSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('labels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('color', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('labels_tenant_name').unique().on('labels').columns(['tenant_id', 'name_key']).execute();

      await db.schema
        .createTable('conversation_labels')
        .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
        .addColumn('label_id', 'text', (c) => c.notNull().references('labels.id').onDelete('cascade'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('conversation_labels_pk', ['conversation_id', 'label_id'])
        .execute();
      // The list filter (?label=) reads conversations by label.
      await db.schema.createIndex('conversation_labels_label').on('conversation_labels').columns(['tenant_id', 'label_id', 'conversation_id']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('conversation_labels').execute();
      await db.schema.dropTable('labels').execute();
    },
  };
}
