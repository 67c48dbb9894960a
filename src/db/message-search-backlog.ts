/**
 * SQLite: new and edited messages wait in `messages_fts_backlog` (migration 0017) and reach the
 * FTS5 word index in batches, in the background and before every word search, so a search still
 * finds every committed message while the write path no longer indexes each one (issue 11).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from './schema.js';
import type { WriteBatcher } from './write-batcher.js';

/** Messages indexed per transaction: a millisecond or two of work, so no write waits long behind it. */
export const INDEX_BATCH = 500;
const INDEX_EVERY_MS = 100;

/** Indexes up to INDEX_BATCH waiting messages, oldest first, and returns how many. Runs inside the caller's transaction. */
export async function indexWaitingMessages(trx: Transaction<Database>): Promise<number> {
  const [batch] = (
    await sql<{ upto: number | null; n: number }>`select max(message_rowid) as upto, count(*) as n from (select message_rowid from messages_fts_backlog order by message_rowid limit ${sql.lit(INDEX_BATCH)})`.execute(trx)
  ).rows;
  if (!batch || batch.upto === null) return 0;
  await sql`insert into messages_fts(rowid, body) select m.rowid, m.body from messages_fts_backlog b join messages m on m.rowid = b.message_rowid where b.message_rowid <= ${batch.upto} order by b.message_rowid`.execute(trx);
  await sql`delete from messages_fts_backlog where message_rowid <= ${batch.upto}`.execute(trx);
  return Number(batch.n);
}

/** Indexes batches, each in a transaction `inTransaction` runs, until none is left waiting. */
async function indexAllWaiting(db: Kysely<Database>, inTransaction: (work: typeof indexWaitingMessages) => Promise<number>): Promise<void> {
  while ((await sql`select 1 from messages_fts_backlog limit 1`.execute(db)).rows.length > 0 && (await inTransaction(indexWaitingMessages)) === INDEX_BATCH);
}

/** Before a word search: indexes everything waiting, so the search sees every committed message. */
export function catchUpMessageSearch(db: Kysely<Database>): Promise<void> {
  return indexAllWaiting(db, (work) => db.transaction().execute(work));
}

/**
 * Indexes waiting messages every INDEX_EVERY_MS, through the group commit so that under load
 * the batch rides along with the node's own writes. Returns a stop function that waits for a
 * batch in progress.
 */
export function keepMessageSearchCurrent(db: Kysely<Database>, writes: Pick<WriteBatcher, 'run'>, log: Logger): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = async () => {
    try {
      await indexAllWaiting(db, (work) => writes.run(work));
    } catch (error) {
      log.error({ err: error }, 'indexing new messages for search failed; it is tried again shortly');
    } finally {
      running = null;
    }
  };
  const timer = setInterval(() => {
    running ??= tick();
  }, INDEX_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
