import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Routing, permissions and compliance (F8, F11, F12, F15–F17, F21, F27): groups, contacts and
 * their phones, conversation ↔ contact links, the opt-out list, email copies and the
 * once-per-window automatic answers. Users' groups, caller IDs and settings already live on
 * `users`; tenant settings (opt-out scope, help text, templates) in `tenants.settings`.
 */
export function routingSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('groups_tenant_name').unique().on('groups').columns(['tenant_id', 'name']).execute();

      await db.schema
        .createTable('contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('allow_sms', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('contacts_tenant_recent').on('contacts').columns(['tenant_id', 'created_at', 'id']).execute();

      // One row per normalised (E.164) phone of a contact: the key inbound matching uses (F18, F21).
      await db.schema
        .createTable('contact_phones')
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('contact_phones_pk', ['contact_id', 'phone'])
        .execute();
      await db.schema.createIndex('contact_phones_lookup').on('contact_phones').columns(['tenant_id', 'phone']).execute();

      await db.schema
        .createTable('conversation_contacts')
        .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('linked_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('conversation_contacts_pk', ['conversation_id', 'contact_id'])
        .execute();
      await db.schema.createIndex('conversation_contacts_tenant').on('conversation_contacts').columns(['tenant_id', 'conversation_id']).execute();
      await db.schema.createIndex('conversation_contacts_contact').on('conversation_contacts').column('contact_id').execute();

      // scope is a number id, or 'tenant' for an opt-out of every number of the tenant (F27).
      await db.schema
        .createTable('opt_outs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('opt_outs_key').unique().on('opt_outs').columns(['tenant_id', 'phone', 'scope']).execute();
      await db.schema.createIndex('opt_outs_recent').on('opt_outs').columns(['tenant_id', 'created_at', 'id']).execute();

      // Email copies of inbound messages (F11): one row per message, the job's log and its dedupe key.
      await db.schema
        .createTable('email_copies')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('recipients', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('smtp_message_id', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .execute();
      await db.schema.createIndex('email_copies_message').unique().on('email_copies').column('message_id').execute();
      await db.schema.createIndex('email_copies_tenant').on('email_copies').columns(['tenant_id', 'created_at']).execute();

      // Automatic answers that must not repeat too often ("this number is not monitored", F12).
      await db.schema
        .createTable('auto_replies')
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('number_id', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('last_sent_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('auto_replies_pk', ['tenant_id', 'number_id', 'phone', 'kind'])
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['auto_replies', 'email_copies', 'opt_outs', 'conversation_contacts', 'contact_phones', 'contacts', 'groups']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
