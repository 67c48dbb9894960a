/**
 * Hot statements compiled once. Kysely builds, transforms and compiles a query tree on every
 * call, which costs more CPU than running a small indexed statement (issue 11: about a third of
 * the server's time per message). A prepared query is built the first time it runs on a dialect,
 * with named placeholders in place of its values; later calls only bind the values. It runs on the
 * executor it is given (the database or a transaction), like any Kysely query.
 *
 * Only fixed-shape queries fit: no `in` lists (their length changes the SQL) and no values that
 * decide the query's shape.
 */
import { createQueryId, type CompiledQuery, type Compilable, type Kysely, type QueryResult, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/** The database or a transaction: what a prepared query runs on. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** The part of a better-sqlite3 connection a prepared query needs. */
export interface SqliteStatements {
  /** Whether a transaction is open on the connection. */
  readonly inTransaction: boolean;
  prepare(sql: string): { reader: boolean; all(parameters: readonly unknown[]): unknown[]; run(parameters: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint } };
}

/** Each SQLite store's connection, by its Kysely adapter (transactions share their database's). */
const sqliteOfAdapter = new WeakMap<object, SqliteStatements>();

/**
 * Lets prepared queries of `db` run straight on its SQLite connection, without Kysely's per-query
 * connection hand-off, promise chain and result plugins (issue 11: about a tenth of the server's
 * time per message). The driver is synchronous and the store has one connection, so this is
 * exactly what Kysely would run: inside a transaction (which holds the connection until it ends)
 * the statement joins it; outside one it runs at once when no transaction is open, and otherwise
 * goes through Kysely, which waits for that transaction to end.
 */
export function runPreparedOnSqlite(db: Kysely<Database>, sqlite: SqliteStatements): void {
  sqliteOfAdapter.set(db.getExecutor().adapter, sqlite);
}

class Placeholder {
  constructor(readonly name: string) {}
}

/** Stands for the arguments while the query is built: each property read is a placeholder. */
const placeholders = new Proxy({}, { get: (_, name) => new Placeholder(String(name)) });

interface Compiled {
  sql: string;
  query: CompiledQuery['query'];
  /** Per parameter position: the argument's name, or the constant value compiled into it. */
  slots: Array<{ name: string } | { value: unknown }>;
}

export class PreparedQuery<A extends object, R> {
  /** One compilation per dialect adapter class (SQLite and PostgreSQL compile differently). */
  private readonly compiled = new Map<unknown, Compiled>();

  constructor(private readonly build: (db: Executor, args: A) => Compilable<R>) {}

  async execute(executor: Executor, args: A): Promise<QueryResult<R>> {
    const compiled = this.compile(executor);
    const parameters = compiled.slots.map((slot) => {
      if (!('name' in slot)) return slot.value;
      const value = (args as Record<string, unknown>)[slot.name];
      if (value === undefined) throw new Error(`prepared query: no value for "${slot.name}"`);
      return value;
    });
    const sqlite = sqliteOfAdapter.get(executor.getExecutor().adapter);
    if (sqlite && (executor.isTransaction || !sqlite.inTransaction)) return runOnSqlite<R>(sqlite, compiled.sql, parameters);
    const query: CompiledQuery<R> = { sql: compiled.sql, query: compiled.query, parameters, queryId: createQueryId() };
    return executor.executeQuery(query);
  }

  async rows(executor: Executor, args: A): Promise<R[]> {
    return (await this.execute(executor, args)).rows;
  }

  async first(executor: Executor, args: A): Promise<R | undefined> {
    return (await this.execute(executor, args)).rows[0];
  }

  private compile(executor: Executor): Compiled {
    const key = executor.getExecutor().adapter.constructor;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      const query = this.build(executor, placeholders as A).compile();
      compiled = {
        sql: query.sql,
        query: query.query,
        slots: query.parameters.map((value) => (value instanceof Placeholder ? { name: value.name } : { value })),
      };
      this.compiled.set(key, compiled);
    }
    return compiled;
  }
}

/** What Kysely's SQLite driver answers for the same statement. */
function runOnSqlite<R>(sqlite: SqliteStatements, sql: string, parameters: readonly unknown[]): QueryResult<R> {
  const statement = sqlite.prepare(sql);
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}

/** `prepared<{ id: string }>()((db, p) => db.selectFrom('messages').selectAll().where('id', '=', p.id))` */
export function prepared<A extends object>() {
  return <R>(build: (db: Executor, args: A) => Compilable<R>): PreparedQuery<A, R> => new PreparedQuery(build);
}
