import { sql, type Expression, type SqlBool } from 'kysely';

/**
 * Case-insensitive "contains" that reads the same on SQLite and PostgreSQL: the pattern's own
 * % _ and \ are escaped, and both sides are lower-cased (PostgreSQL's LIKE is case-sensitive).
 */
export function containsText(column: string, text: string): Expression<SqlBool> {
  const pattern = `%${text.toLowerCase().replace(/[%_\\]/g, (c) => '\\' + c)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
