import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * A send being handed to its provider (jobs/send-message.job.ts): written before the request and
 * removed with the provider's answer. A row found by the next attempt means the process ended
 * mid-request (SIGKILL, crash, power): the provider may have the message, so it is not sent again.
 */
export function sendDispatchesSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('send_dispatches')
        .addColumn('message_id', 'text', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
        .addColumn('started_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('send_dispatches').execute();
    },
  };
}
