import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/** The whole first schema; one definition for SQLite and PostgreSQL. */
export function initialSchema(dialect: Dialect) {
  const serial = (table: string) => (dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`);

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('extension', 'text')
        .addColumn('mobile', 'text')
        .addColumn('send_permission', 'text', (c) => c.notNull().defaultTo('none'))
        .addColumn('caller_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('group_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // Email is the sign-in name, so it is unique across tenants.
      await db.schema.createIndex('users_email').unique().on('users').column('email').execute();
      await db.schema.createIndex('users_tenant_extension').unique().on('users').columns(['tenant_id', 'extension']).execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('["*"]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('provider_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('credentials', 'text', (c) => c.notNull())
        .addColumn('base_url', 'text')
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('api'))
        .addColumn('webhook_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('numbers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('provider_account_id', 'text', (c) => c.notNull().references('provider_accounts.id'))
        .addColumn('destinations', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('system_notification', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('default_country', 'text')
        .addColumn('mps', 'real')
        .addColumn('next_send_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('numbers_account_number').unique().on('numbers').columns(['provider_account_id', 'number']).execute();
      await db.schema.createIndex('numbers_tenant_number').on('numbers').columns(['tenant_id', 'number']).execute();

      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('number_id', 'text')
        .addColumn('our_number', 'text', (c) => c.notNull())
        .addColumn('remote_key', 'text', (c) => c.notNull())
        .addColumn('remote_numbers', 'text', (c) => c.notNull())
        .addColumn('assigned_user_id', 'text')
        .addColumn('last_message_id', 'text')
        .addColumn('last_message_at', 'text')
        .addColumn('unread_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('conversations_key').unique().on('conversations').columns(['tenant_id', 'our_number', 'remote_key']).execute();
      await db.schema.createIndex('conversations_recent').on('conversations').columns(['tenant_id', 'updated_at', 'id']).execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('number_id', 'text')
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('from_number', 'text', (c) => c.notNull())
        .addColumn('to_numbers', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('encoding', 'text', (c) => c.notNull())
        .addColumn('segments', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('provider_account_id', 'text')
        .addColumn('provider_type', 'text')
        .addColumn('provider_message_id', 'text')
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('idempotency_key', 'text')
        .addColumn('send_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .addColumn('delivered_at', 'text')
        .addColumn('read_at', 'text')
        .addColumn('created_by', 'text')
        .addColumn('media_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('messages_provider_id').unique().on('messages').columns(['provider_account_id', 'provider_message_id']).execute();
      await db.schema.createIndex('messages_idempotency').unique().on('messages').columns(['tenant_id', 'idempotency_key']).execute();
      await db.schema.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('messages_tenant_recent').on('messages').columns(['tenant_id', 'created_at', 'id']).execute();

      await db.schema
        .createTable('message_status')
        .addColumn('id', sql`${serial('message_status')}`)
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('message_status_message').on('message_status').column('message_id').execute();

      await db.schema
        .createTable('media')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('message_id', 'text')
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('storage_key', 'text')
        .addColumn('source_url', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('media_message').on('media').column('message_id').execute();

      // Media bytes on PostgreSQL live here so that every node can serve them (F32).
      await db.schema
        .createTable('media_blobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('data', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', sql`${serial('jobs')}`)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('run_at', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('locked_by', 'text')
        .addColumn('locked_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('dead', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_due').on('jobs').columns(['dead', 'run_at']).execute();

      await db.schema
        .createTable('webhook_log')
        .addColumn('id', sql`${serial('webhook_log')}`)
        .addColumn('tenant_id', 'text')
        .addColumn('provider_account_id', 'text')
        .addColumn('provider_type', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('verdict', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('http_status', 'integer', (c) => c.notNull())
        .addColumn('remote_ip', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_log_tenant').on('webhook_log').columns(['tenant_id', 'id']).execute();

      await db.schema
        .createTable('pending_status')
        .addColumn('id', sql`${serial('pending_status')}`)
        .addColumn('provider_account_id', 'text', (c) => c.notNull())
        .addColumn('provider_message_id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pending_status_key').on('pending_status').columns(['provider_account_id', 'provider_message_id']).execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['pending_status', 'webhook_log', 'jobs', 'media_blobs', 'media', 'message_status', 'messages', 'conversations', 'numbers', 'provider_accounts', 'sessions', 'api_keys', 'users', 'tenants']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
