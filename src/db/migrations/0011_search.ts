import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Word search over message bodies (issue 11, P5) backed by an index instead of a LIKE scan:
 * SQLite gets an FTS5 table over `messages.body` (external content keyed by the message's rowid,
 * kept current by triggers); PostgreSQL gets a GIN index on the body's `simple` tsvector, which
 * PostgreSQL maintains itself. Both are read by `bodyMatchesWords` in `db/text-search.ts`.
 */
export function searchSchema(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect === 'postgres') {
        await sql`create index messages_body_search on messages using gin (to_tsvector('simple', body))`.execute(db);
        return;
      }
      await sql`create virtual table messages_fts using fts5(body, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`.execute(db);
      await createIndexingTriggers(db);
      await sql`insert into messages_fts(messages_fts) values ('rebuild')`.execute(db);
    },
    async down(db: Kysely<any>): Promise<void> {
      if (dialect === 'postgres') {
        await sql`drop index messages_body_search`.execute(db);
        return;
      }
      for (const trigger of ['messages_fts_insert', 'messages_fts_delete', 'messages_fts_update']) await sql`drop trigger ${sql.raw(trigger)}`.execute(db);
      await sql`drop table messages_fts`.execute(db);
    },
  };
}

/** SQLite: triggers that index every message body as it is written (until migration 0017 moved indexing after commit). */
export async function createIndexingTriggers(db: Kysely<any>): Promise<void> {
  await sql`create trigger messages_fts_insert after insert on messages begin
    insert into messages_fts(rowid, body) values (new.rowid, new.body);
  end`.execute(db);
  await sql`create trigger messages_fts_delete after delete on messages begin
    insert into messages_fts(messages_fts, rowid, body) values ('delete', old.rowid, old.body);
  end`.execute(db);
  await sql`create trigger messages_fts_update after update of body on messages begin
    insert into messages_fts(messages_fts, rowid, body) values ('delete', old.rowid, old.body);
    insert into messages_fts(rowid, body) values (new.rowid, new.body);
  end`.execute(db);
}
