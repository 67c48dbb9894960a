/** Cursor paging for lists: {items, nextCursor} (SPEC §3). The cursor is the last row's sort key. */
import { Type } from '@sinclair/typebox';
import { AppError } from '../../../errors.js';

export const PagingQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  total: Type.Optional(Type.Boolean()),
};

export interface CursorKey {
  at: string;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorKey | null {
  if (!cursor) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'string' && typeof id === 'string') return { at, id };
  } catch {
    // fall through to the error below
  }
  throw new AppError('validation_error', 'cursor is not one this API returned; pass nextCursor back unchanged');
}

/** Takes limit+1 rows to learn whether there is a next page. */
export function page<T>(rows: T[], limit: number, key: (row: T) => CursorKey): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(key(items[items.length - 1]!)) : null };
}

export const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

/**
 * The newest `count` rows of several result lists, each already newest first by `key` (a search
 * run as separate queries, one per alternative, so each keeps its own index). Rows in more than
 * one list are kept once.
 */
export function mergeNewest<T>(lists: T[][], count: number, key: (row: T) => CursorKey): T[] {
  if (lists.length === 1) return lists[0]!.slice(0, count);
  const byId = new Map<string, T>();
  for (const row of lists.flat()) byId.set(key(row).id, row);
  const newerFirst = (a: CursorKey, b: CursorKey) => (a.at === b.at ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.at < b.at ? 1 : -1);
  return [...byId.values()].sort((a, b) => newerFirst(key(a), key(b))).slice(0, count);
}
