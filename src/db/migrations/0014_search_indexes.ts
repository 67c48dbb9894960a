import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Search at scale (issue 11, P5), read by `db/text-search.ts`.
 *
 * Numbers: a conversation's remote number and our number get a trigram index, so "contains
 * these digits" (a number typed in any format) is an index read instead of a walk over every
 * conversation: an FTS5 table with the trigram tokenizer on SQLite (external content keyed by
 * the conversation's rowid, kept current by triggers), GIN pg_trgm indexes on PostgreSQL. Where
 * pg_trgm cannot be had (not shipped, or no right to create it), PostgreSQL goes without the two
 * indexes and the same queries scan, as before.
 *
 * Words, PostgreSQL only: each message's `simple` tsvector moves into a stored column. The GIN
 * index of 0011 was on the expression, so a search read along the time order (the fast plan for
 * a common word) parsed every body it passed: about 10 µs a row, 37 ms for the first page of a
 * word in 1.6 % of a million messages. The stored column is parsed once, on write, and the GIN
 * index moves onto it. Adding the column rewrites the table (about 35 s per million messages on
 * a busy 2-core machine). SQLite's FTS5 table of 0011 already holds its tokens.
 */
export function searchIndexesSchema(dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      if (dialect === 'postgres') {
        await sql`alter table messages add column body_search tsvector generated always as (to_tsvector('simple', body)) stored`.execute(db);
        await sql`drop index messages_body_search`.execute(db);
        await sql`create index messages_body_search on messages using gin (body_search)`.execute(db);
        const trgm = await trigramSchema(db);
        if (!trgm) return;
        for (const column of ['remote_key', 'our_number']) {
          await sql`create index ${sql.id(`conversations_${column}_search`)} on conversations using gin (lower(${sql.ref(column)}) ${sql.id(trgm)}.gin_trgm_ops)`.execute(db);
        }
        return;
      }
      await sql`create virtual table conversations_search using fts5(remote_key, our_number, content='conversations', content_rowid='rowid', tokenize='trigram')`.execute(db);
      await sql`create trigger conversations_search_insert after insert on conversations begin
        insert into conversations_search(rowid, remote_key, our_number) values (new.rowid, new.remote_key, new.our_number);
      end`.execute(db);
      await sql`create trigger conversations_search_delete after delete on conversations begin
        insert into conversations_search(conversations_search, rowid, remote_key, our_number) values ('delete', old.rowid, old.remote_key, old.our_number);
      end`.execute(db);
      await sql`create trigger conversations_search_update after update of remote_key, our_number on conversations begin
        insert into conversations_search(conversations_search, rowid, remote_key, our_number) values ('delete', old.rowid, old.remote_key, old.our_number);
        insert into conversations_search(rowid, remote_key, our_number) values (new.rowid, new.remote_key, new.our_number);
      end`.execute(db);
      await sql`insert into conversations_search(conversations_search) values ('rebuild')`.execute(db);
    },
    async down(db: Kysely<any>): Promise<void> {
      if (dialect === 'postgres') {
        for (const column of ['remote_key', 'our_number']) await sql`drop index if exists ${sql.id(`conversations_${column}_search`)}`.execute(db);
        await sql`drop index messages_body_search`.execute(db);
        await sql`alter table messages drop column body_search`.execute(db);
        await sql`create index messages_body_search on messages using gin (to_tsvector('simple', body))`.execute(db);
        return;
      }
      for (const trigger of ['conversations_search_insert', 'conversations_search_delete', 'conversations_search_update']) await sql`drop trigger ${sql.raw(trigger)}`.execute(db);
      await sql`drop table conversations_search`.execute(db);
    },
  };
}

/**
 * The schema holding pg_trgm: where it is installed already, else `public` once installed there
 * (an extension belongs to the database, not to a deployment's schema, whose drop would take it
 * along); null when it cannot be had. The migration runs in a transaction: a failed CREATE
 * EXTENSION is rolled back to a savepoint.
 */
async function trigramSchema(db: Kysely<any>): Promise<string | null> {
  const installed = async () =>
    (await sql<{ schema: string }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db)).rows[0]?.schema ?? null;
  const schema = await installed();
  if (schema) return schema;
  const available = await sql`select 1 from pg_available_extensions where name = 'pg_trgm'`.execute(db);
  if (available.rows.length === 0) return null;
  await sql`savepoint pg_trgm`.execute(db);
  try {
    await sql`create extension pg_trgm with schema public`.execute(db);
    await sql`release savepoint pg_trgm`.execute(db);
    return 'public';
  } catch {
    await sql`rollback to savepoint pg_trgm`.execute(db);
    // Another schema's migration may have created it meanwhile (parallel test files, a second node).
    return installed();
  }
}
