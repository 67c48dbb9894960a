import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * An inbound reply joins the open case that last messaged its conversation (services/cases.ts).
 * That lookup went through every message of the conversation, so its cost grew with the
 * conversation's history (issue 11). case_messages now carries the message's conversation and
 * direction, and an index answers the lookup from the newest case message on.
 */
export function caseMessagesConversationSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('case_messages').addColumn('conversation_id', 'text').execute();
      await db.schema.alterTable('case_messages').addColumn('direction', 'text').execute();
      await sql`update case_messages set
        conversation_id = (select messages.conversation_id from messages where messages.id = case_messages.message_id),
        direction = (select messages.direction from messages where messages.id = case_messages.message_id)`.execute(db);
      await db.schema.createIndex('case_messages_conversation').on('case_messages').columns(['tenant_id', 'conversation_id', 'direction', 'created_at']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('case_messages_conversation').execute();
      await db.schema.alterTable('case_messages').dropColumn('direction').execute();
      await db.schema.alterTable('case_messages').dropColumn('conversation_id').execute();
    },
  };
}
