import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Dialect } from './client.js';
import type { Database } from './schema.js';
import { catchUpMessageSearch } from './message-search-backlog.js';

/**
 * Case-insensitive "contains" that reads the same on SQLite and PostgreSQL: the pattern's own
 * % _ and \ are escaped, and both sides are lower-cased (PostgreSQL's LIKE is case-sensitive).
 */
export function containsText(column: string, text: string): Expression<SqlBool> {
  const pattern = `%${text.toLowerCase().replace(/[%_\\]/g, (c) => '\\' + c)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/**
 * Conversations where any of `columns` (the remote number, our number) contains `text` as
 * `containsText` reads it: a number in any format reduced to its digits, or the text itself.
 * Read from the trigram indexes of migration 0014: PostgreSQL's are on lower(column), which
 * containsText writes; SQLite first takes the candidates from the FTS5 trigram table, which needs
 * 3 characters (a shorter text scans), then keeps the LIKE as the exact test.
 */
export function conversationContains(dialect: Dialect, columns: Array<'remote_key' | 'our_number'>, text: string): Expression<SqlBool> {
  const like = sql.join(columns.map((column) => containsText(`conversations.${column}`, text)), sql` or `);
  if (dialect === 'postgres' || [...text].length < 3) return sql<SqlBool>`(${like})`;
  const phrase = `{${columns.join(' ')}} : "${text.replace(/"/g, '""')}"`;
  return sql<SqlBool>`${sql.ref('conversations.rowid')} in (select rowid from conversations_search where conversations_search match ${phrase}) and (${like})`;
}

/** The words of a search, lower-cased: runs of letters and digits (what both indexes tokenise). */
export function searchWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 16);
}

/** SQLite: from this many index hits on, a word is common enough to read along the time order instead. */
const COMMON_WORD_HITS = 2000;
/** PostgreSQL: a word is common from this many hits among the tenant's newest RECENT_MESSAGES messages (0.5 %). */
const COMMON_RECENT_HITS = 10;
const RECENT_MESSAGES = 2000;

/** A word search, as conditions on `messages` and on `conversations`. */
export interface WordMatch {
  /** On `messages`: the body holds every word, each as a word or the start of one ("deliv" finds "delivered"). */
  message: Expression<SqlBool>;
  /** On `conversations`: one of its messages does. */
  conversation: Expression<SqlBool>;
}

/**
 * Word search over message bodies, read from the index of migration 0011 (FTS5 on SQLite, first
 * brought up to date with the messages waiting in the backlog of 0017) or 0014 (a GIN index on
 * the stored `simple` tsvector on PostgreSQL). A search without words matches nothing.
 *
 * Neither planner can tell a rare word from a common one: driven by the index, a word in 2 % of a
 * million messages fetches and sorts 20,000 rows to show 50 (SQLite 70–90 ms, PostgreSQL 40–60
 * ms); driven by the time order, a word that is nowhere walks every message (SQLite 300+ ms,
 * PostgreSQL seconds: it estimates every prefix search at 2 % of the rows, so it walked the time
 * order for any one-word search). One small probe picks the plan: few hits are read from the
 * index, many along the time order, where the first page is found after a few thousand rows.
 *
 * SQLite counts the index hits up to COMMON_WORD_HITS (about a millisecond); the unary `+` keeps
 * it from using the rowid list as the driving index. PostgreSQL cannot stop a GIN scan early, so
 * it counts the hits among the tenant's newest RECENT_MESSAGES messages instead (a couple of
 * milliseconds), and the index is read through `= any(array(…))`, which it runs once, first.
 * `commonHits` overrides the threshold of either (tests).
 */
export async function matchWords(db: Kysely<Database>, dialect: Dialect, tenantId: string, text: string, commonHits?: number): Promise<WordMatch> {
  const words = searchWords(text);
  if (words.length === 0) return { message: sql<SqlBool>`1 = 0`, conversation: sql<SqlBool>`1 = 0` };
  if (dialect === 'postgres') {
    const query = sql`to_tsquery('simple', ${words.map((word) => `${word}:*`).join(' & ')})`;
    const recent = sql`select body_search from messages where tenant_id = ${tenantId} order by created_at desc, id desc limit ${RECENT_MESSAGES}`;
    const { n } = (await sql<{ n: number }>`select count(*) as n from (${recent}) as recent where body_search @@ ${query}`.execute(db)).rows[0]!;
    if (Number(n) >= (commonHits ?? COMMON_RECENT_HITS)) {
      return {
        message: sql<SqlBool>`${sql.ref('messages.body_search')} @@ ${query}`,
        conversation: sql<SqlBool>`exists (select 1 from messages as m where m.conversation_id = ${sql.ref('conversations.id')} and m.tenant_id = ${tenantId} and m.body_search @@ ${query})`,
      };
    }
    return {
      message: sql<SqlBool>`${sql.ref('messages.id')} = any(array(select id from messages where tenant_id = ${tenantId} and body_search @@ ${query}))`,
      conversation: sql<SqlBool>`${sql.ref('conversations.id')} = any(array(select conversation_id from messages where tenant_id = ${tenantId} and body_search @@ ${query}))`,
    };
  }
  await catchUpMessageSearch(db);
  const query = words.map((word) => `"${word}"*`).join(' ');
  const hits = sql`select rowid from messages_fts where messages_fts match ${query}`;
  const { n } = (await sql<{ n: number }>`select count(*) as n from (${hits} limit ${commonHits ?? COMMON_WORD_HITS})`.execute(db)).rows[0]!;
  if (Number(n) >= (commonHits ?? COMMON_WORD_HITS)) {
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
