import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * The queue's table scan looks for due jobs of the types that have free workers. With jobs_due
 * on (dead, run_at) it walked every due job of the other types first: behind a backlog of 30,000
 * inbound jobs, a scan for an email job read them all (3.9 ms on SQLite, blocking the event loop,
 * several times a second). On (dead, name, run_at) each type's due jobs are one index range.
 */
export function jobsDueByNameSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await sql`drop index jobs_due`.execute(db);
      await sql`create index jobs_due on jobs (dead, name, run_at)`.execute(db);
    },
    async down(db: Kysely<any>): Promise<void> {
      await sql`drop index jobs_due`.execute(db);
      await sql`create index jobs_due on jobs (dead, run_at)`.execute(db);
    },
  };
}
