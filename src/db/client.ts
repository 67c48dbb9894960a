/** Opens the store named by DATABASE_URL and runs migrations. Same Kysely API on both dialects. */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import { EmptyInPlugin } from './empty-in-plugin.js';
import { runPreparedOnSqlite } from './prepared.js';
import { startWalCheckpointer } from './wal-checkpointer.js';
import { initialSchema } from './migrations/0001_initial.js';
import { routingSchema } from './migrations/0002_routing.js';
import { dashboardSchema } from './migrations/0003_dashboard.js';
import { hardeningSchema } from './migrations/0004_hardening.js';
import { connectorsSchema } from './migrations/0005_connectors.js';
import { automationSchema } from './migrations/0006_automation.js';
import { workflowsSchema } from './migrations/0007_workflows.js';
import { inboxSchema } from './migrations/0008_inbox.js';
import { voicemeupPartsSchema } from './migrations/0010_voicemeup_parts.js';
import { searchSchema } from './migrations/0011_search.js';
import { notesSchema } from './migrations/0012_notes.js';
import { labelsSchema } from './migrations/0013_labels.js';
import { searchIndexesSchema } from './migrations/0014_search_indexes.js';
import { caseMessagesConversationSchema } from './migrations/0015_case_messages_conversation.js';
import { sendDispatchesSchema } from './migrations/0016_send_dispatches.js';
import { messageSearchBacklogSchema } from './migrations/0017_message_search_backlog.js';
import { partialIdempotencyIndexSchema } from './migrations/0018_partial_idempotency_index.js';
import { jobsDueByNameSchema } from './migrations/0019_jobs_due_by_name.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface Store {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
  /** Present on PostgreSQL: a pool for LISTEN/NOTIFY. */
  pgPool?: pg.Pool;
}

// bigint (int8) and numeric come back as strings from pg by default; our values fit in a double.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

export function openStore(options: { dialect: Dialect; databaseUrl: string; sqlitePath: string | null; onCheckpointerError?: (error: Error) => void }): Store {
  if (options.dialect === 'sqlite') {
    const file = options.sqlitePath ?? ':memory:';
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const sqlite = new SqliteDatabase(file);
    // WAL + synchronous=NORMAL: a committed transaction survives a process kill (SIGKILL);
    // only an OS crash or power loss can drop the last commits.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // The default page cache (2 MB) is smaller than the hot part of a busy inbox (recent messages,
    // their indexes and the FTS index), so statements kept re-reading pages: 32 MB at most.
    sqlite.pragma('cache_size = -32768');
    // Statement journals (every statement that fires a trigger, such as the message search
    // index's, keeps one) and sorting scratch in memory instead of temporary files: a message
    // insert with its share of the commit went from 64–70 to 44 µs.
    sqlite.pragma('temp_store = MEMORY');
    const checkpointer = file === ':memory:' ? null : startWalCheckpointer(sqlite, file, { onError: options.onCheckpointerError });
    const statements = withStatementCache(sqlite);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }), plugins: [new EmptyInPlugin()] });
    runPreparedOnSqlite(db, statements);
    return {
      db,
      dialect: 'sqlite',
      close: async () => {
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 20 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new EmptyInPlugin()] });
  return { db, dialect: 'postgres', pgPool: pool, close: () => db.destroy() };
}

/**
 * Kysely prepares every query afresh; on SQLite preparing costs more than running a small
 * statement. Statements are reused by SQL text (safe: one connection, synchronous driver).
 */
function withStatementCache(sqlite: SqliteDatabase.Database, limit = 500) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    get inTransaction() {
      return sqlite.inTransaction;
    },
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (cache.size >= limit) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

function migrationsFor(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_initial': initialSchema(dialect),
    '0002_routing': routingSchema(dialect),
    '0003_dashboard': dashboardSchema(dialect),
    '0004_hardening': hardeningSchema(dialect),
    '0005_connectors': connectorsSchema(dialect),
    '0006_automation': automationSchema(dialect),
    '0007_workflows': workflowsSchema(dialect),
    '0008_inbox': inboxSchema(dialect),
    '0010_voicemeup_parts': voicemeupPartsSchema(dialect),
    '0011_search': searchSchema(dialect),
    '0012_notes': notesSchema(dialect),
    '0013_labels': labelsSchema(dialect),
    '0014_search_indexes': searchIndexesSchema(dialect),
    '0015_case_messages_conversation': caseMessagesConversationSchema(dialect),
    '0016_send_dispatches': sendDispatchesSchema(dialect),
    '0017_message_search_backlog': messageSearchBacklogSchema(dialect),
    '0018_partial_idempotency_index': partialIdempotencyIndexSchema(dialect),
    '0019_jobs_due_by_name': jobsDueByNameSchema(dialect),
  };
  return { getMigrations: async () => migrations };
}

/**
 * On PostgreSQL the migration tables live in the connection's current schema. Without naming it,
 * Kysely looks for its tables in every schema of the database, so one schema's migration tables
 * would stop another schema (a second deployment or test run on the same server) from migrating.
 */
export async function migratorFor(store: Store): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (store.dialect === 'postgres') {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(store.db);
    migrationTableSchema = rows[0]?.schema ?? undefined;
  }
  return new Migrator({ db: store.db, provider: migrationsFor(store.dialect), migrationTableSchema });
}

export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = await migratorFor(store);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function migrateDownAll(store: Store): Promise<void> {
  const migrator = await migratorFor(store);
  for (;;) {
    const { error, results } = await migrator.migrateDown();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    if (!results || results.length === 0) return;
  }
}

let lastMs = 0;
let lastIso = '';
/** The current time as an ISO string; one formatting per millisecond (several rows per message take it). */
export const now = (): string => {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
};
