import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Automation (issue 9): audit log (F29), message templates (F24), cases with their messages
 * (F23) and documents sent as links (F20). Tenant settings live in tenants.settings (JSON).
 */
export function automationSchema(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('source_ip', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text')
        .addColumn('target_label', 'text')
        .addColumn('changes', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_tenant_created').on('audit_log').columns(['tenant_id', 'created_at']).execute();

      await db.schema
        .createTable('templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('media_ids', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('templates_tenant_name').unique().on('templates').columns(['tenant_id', 'name']).execute();

      await db.schema
        .createTable('cases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text')
        .addColumn('conversation_id', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'text')
        .addColumn('last_outbound_at', 'text')
        .execute();
      await db.schema.createIndex('cases_token').unique().on('cases').column('token').execute();
      await db.schema.createIndex('cases_tenant_conversation').on('cases').columns(['tenant_id', 'conversation_id', 'status']).execute();

      // A message belongs to at most one case.
      await db.schema
        .createTable('case_messages')
        .addColumn('message_id', 'text', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id').onDelete('cascade'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('case_messages_case').on('case_messages').columns(['case_id', 'created_at']).execute();

      await db.schema
        .createTable('documents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('data', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('message_id', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('first_opened_at', 'text')
        .addColumn('open_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('documents_code').unique().on('documents').column('code').execute();
      await db.schema.createIndex('documents_message').on('documents').column('message_id').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('documents').execute();
      await db.schema.dropTable('case_messages').execute();
      await db.schema.dropTable('cases').execute();
      await db.schema.dropTable('templates').execute();
      await db.schema.dropTable('audit_log').execute();
    },
  };
}
