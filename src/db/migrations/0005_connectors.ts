import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Connectors (issue 8): the diagnostics log names the transport a message came in by (webhook or
 * SMPP); SMPP binds are held by one node at a time through a lease row; concatenated MO parts wait
 * in the database (acknowledged parts survive a restart); every part of a multi-part send keeps
 * its own SMSC message id so that each part's receipt is matched; a send taken by a node without
 * the bind waits in an outbox for the node that holds it.
 */
export function connectorsSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('webhook_log').addColumn('transport', 'text', (c) => c.notNull().defaultTo('webhook')).execute();
      await db.schema
        .createTable('smpp_leases')
        .addColumn('provider_account_id', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('state_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('smpp_mo_parts')
        .addColumn('provider_account_id', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('part_number', 'integer', (c) => c.notNull())
        .addColumn('part_count', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('smpp_mo_parts_pk', ['provider_account_id', 'group_key', 'part_number'])
        .execute();
      await db.schema
        .createTable('message_parts')
        .addColumn('provider_account_id', 'text', (c) => c.notNull())
        .addColumn('provider_message_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('part_number', 'integer', (c) => c.notNull())
        .addColumn('part_count', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_parts_pk', ['provider_account_id', 'provider_message_id'])
        .execute();
      await db.schema.createIndex('message_parts_message').on('message_parts').column('message_id').execute();
      // Sends handed from a node without the bind to the node holding it.
      await db.schema
        .createTable('smpp_outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider_account_id', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('result', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('smpp_outbox_account').on('smpp_outbox').columns(['provider_account_id', 'claimed_by']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('smpp_outbox').execute();
      await db.schema.dropTable('message_parts').execute();
      await db.schema.dropTable('smpp_mo_parts').execute();
      await db.schema.dropTable('smpp_leases').execute();
      await db.schema.alterTable('webhook_log').dropColumn('transport').execute();
    },
  };
}
