import { sql, type Expression, type SqlBool } from 'kysely';
import type { Dialect } from './client.js';

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

/**
 * `messages.body` holds every word of `text`, each as a word or the start of one ("deliv" finds
 * "delivered"), read from the index of migration 0011 (FTS5 on SQLite, a tsvector GIN index on
 * PostgreSQL). A search without words matches nothing.
 */
export function bodyMatchesWords(dialect: Dialect, text: string): Expression<SqlBool> {
  const words = searchWords(text);
  if (words.length === 0) return sql<SqlBool>`1 = 0`;
  if (dialect === 'postgres') {
    const query = words.map((word) => `${word}:*`).join(' & ');
    return sql<SqlBool>`to_tsvector('simple', ${sql.ref('messages.body')}) @@ to_tsquery('simple', ${query})`;
  }
  const query = words.map((word) => `"${word}"*`).join(' ');
  return sql<SqlBool>`${sql.ref('messages.rowid')} in (select rowid from messages_fts where messages_fts match ${query})`;
}
