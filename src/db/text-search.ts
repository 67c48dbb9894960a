import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Dialect } from './client.js';
import type { Database } from './schema.js';

/**
 * Case-insensitive "contains" that reads the same on SQLite and PostgreSQL: the pattern's own
 * % _ and \ are escaped, and both sides are lower-cased (PostgreSQL's LIKE is case-sensitive).
 */
export function containsText(column: string, text: string): Expression<SqlBool> {
  const pattern = `%${text.toLowerCase().replace(/[%_\\]/g, (c) => '\\' + c)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/** The words of a search, lower-cased: runs of letters and digits (what both indexes tokenise). */
export function searchWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 16);
}

/** From this many index hits on, a word is common enough to read along the time order instead. */
const COMMON_WORD_HITS = 2000;

/** A word search, as conditions on `messages` and on `conversations`. */
export interface WordMatch {
  /** On `messages`: the body holds every word, each as a word or the start of one ("deliv" finds "delivered"). */
  message: Expression<SqlBool>;
  /** On `conversations`: one of its messages does. */
  conversation: Expression<SqlBool>;
}

/**
 * Word search over message bodies, read from the index of migration 0011 (FTS5 on SQLite, a
 * tsvector GIN index on PostgreSQL). A search without words matches nothing.
 *
 * SQLite's planner cannot tell a rare word from a common one: driven by the index, a word in 2 %
 * of a million messages fetches and sorts 20,000 rows to show 50 (70–90 ms); driven by the time
 * order, a word that is nowhere walks every message (300+ ms). One capped count on the index
 * (about a millisecond) picks the plan: few hits are read from the index, many along the time
 * order, where the first page is found after a few thousand rows. The unary `+` keeps SQLite
 * from using the rowid list as the driving index.
 */
export async function matchWords(db: Kysely<Database>, dialect: Dialect, tenantId: string, text: string, commonHits = COMMON_WORD_HITS): Promise<WordMatch> {
  const words = searchWords(text);
  if (words.length === 0) return { message: sql<SqlBool>`1 = 0`, conversation: sql<SqlBool>`1 = 0` };
  if (dialect === 'postgres') {
    const query = words.map((word) => `${word}:*`).join(' & ');
    const matches = (column: string) => sql<SqlBool>`to_tsvector('simple', ${sql.ref(column)}) @@ to_tsquery('simple', ${query})`;
    return {
      message: matches('messages.body'),
      conversation: sql<SqlBool>`${sql.ref('conversations.id')} in (select conversation_id from messages where tenant_id = ${tenantId} and ${matches('body')})`,
    };
  }
  const query = words.map((word) => `"${word}"*`).join(' ');
  const hits = sql`select rowid from messages_fts where messages_fts match ${query}`;
  const { n } = (await sql<{ n: number }>`select count(*) as n from (${hits} limit ${commonHits})`.execute(db)).rows[0]!;
  if (Number(n) >= commonHits) {
    return {
      message: sql<SqlBool>`+${sql.ref('messages.rowid')} in (${hits})`,
      conversation: sql<SqlBool>`exists (select 1 from messages as m where m.conversation_id = ${sql.ref('conversations.id')} and +m.rowid in (${hits}))`,
    };
  }
  return {
    message: sql<SqlBool>`${sql.ref('messages.rowid')} in (${hits})`,
    conversation: sql<SqlBool>`${sql.ref('conversations.id')} in (select conversation_id from messages where tenant_id = ${tenantId} and rowid in (${hits}))`,
  };
}
