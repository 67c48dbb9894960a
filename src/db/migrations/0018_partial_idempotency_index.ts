import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Only API sends carry an Idempotency-Key; inbound messages and most sends have none. The unique
 * index on (tenant, key) now holds only messages that have a key, so the others no longer pay
 * an index insert and its page write (issue 11: about 6 µs per message on SQLite). Lookups name
 * the key (`idempotency_key = ?`), which both databases read as implying the index's condition.
 */
export function partialIdempotencyIndexSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await sql`drop index messages_idempotency`.execute(db);
      await sql`create unique index messages_idempotency on messages (tenant_id, idempotency_key) where idempotency_key is not null`.execute(db);
    },
    async down(db: Kysely<any>): Promise<void> {
      await sql`drop index messages_idempotency`.execute(db);
      await sql`create unique index messages_idempotency on messages (tenant_id, idempotency_key)`.execute(db);
    },
  };
}
