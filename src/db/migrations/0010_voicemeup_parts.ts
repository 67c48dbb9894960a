import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Split inbound messages (issue 13; VoiceMeUp posts one MMS as a text part and a media part):
 * each acknowledged part waits here until its sibling arrives or a short wait runs out, then the
 * parts are stored as one message. Joined parts stay (with `joined_as`) so that a carrier's retry
 * of a part already joined is recognised as a duplicate; they are pruned after a week.
 */
export function voicemeupPartsSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('inbound_parts')
        .addColumn('provider_account_id', 'text', (c) => c.notNull().references('provider_accounts.id').onDelete('cascade'))
        .addColumn('part_id', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('number_id', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('joined_as', 'text')
        .addPrimaryKeyConstraint('inbound_parts_pk', ['provider_account_id', 'part_id'])
        .execute();
      await db.schema.createIndex('inbound_parts_group').on('inbound_parts').columns(['provider_account_id', 'group_key']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('inbound_parts').execute();
    },
  };
}
