import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../client.js';
import { createIndexingTriggers } from './0011_search.js';

/**
 * SQLite: message bodies reach the FTS5 index of 0011 in batches after commit instead of through
 * a trigger on every insert (issue 11). The insert trigger cost about 20 µs per message on the
 * write path; indexing a batch costs about 3 µs per message (db/message-search-backlog.ts).
 *
 * A new or edited message's rowid waits in `messages_fts_backlog` until it is indexed. Deleting
 * or editing a message removes its old body from the index only when it was indexed, and a
 * deleted message leaves the backlog, so a rowid SQLite hands out again is indexed afresh.
 * PostgreSQL keeps its own GIN index current and has nothing here.
 */
export function messageSearchBacklogSchema(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect === 'postgres') return;
      await sql`create table messages_fts_backlog (message_rowid integer primary key)`.execute(db);
      for (const trigger of ['messages_fts_insert', 'messages_fts_delete', 'messages_fts_update']) await sql`drop trigger ${sql.raw(trigger)}`.execute(db);
      await sql`create trigger messages_fts_insert after insert on messages begin
        insert into messages_fts_backlog(message_rowid) values (new.rowid);
      end`.execute(db);
      await sql`create trigger messages_fts_delete after delete on messages begin
        insert into messages_fts(messages_fts, rowid, body) select 'delete', old.rowid, old.body
          where not exists (select 1 from messages_fts_backlog where message_rowid = old.rowid);
        delete from messages_fts_backlog where message_rowid = old.rowid;
      end`.execute(db);
      await sql`create trigger messages_fts_update after update of body on messages begin
        insert into messages_fts(messages_fts, rowid, body) select 'delete', old.rowid, old.body
          where not exists (select 1 from messages_fts_backlog where message_rowid = old.rowid);
        insert or ignore into messages_fts_backlog(message_rowid) values (new.rowid);
      end`.execute(db);
    },
    async down(db: Kysely<any>): Promise<void> {
      if (dialect === 'postgres') return;
      await sql`insert into messages_fts(rowid, body) select m.rowid, m.body from messages_fts_backlog b join messages m on m.rowid = b.message_rowid`.execute(db);
      for (const trigger of ['messages_fts_insert', 'messages_fts_delete', 'messages_fts_update']) await sql`drop trigger ${sql.raw(trigger)}`.execute(db);
      await sql`drop table messages_fts_backlog`.execute(db);
      await createIndexingTriggers(db);
    },
  };
}
