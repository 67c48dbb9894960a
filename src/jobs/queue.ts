/**
 * Durable job queue on our own `jobs` table, so a job is enqueued in the same transaction as the
 * row it is about. Workers claim due jobs with a lease (locked_until); a job held by a dead
 * worker becomes due again when its lease runs out. On PostgreSQL the claim uses
 * FOR UPDATE SKIP LOCKED so several nodes share the table without taking the same job.
 */
import { sql, type Transaction } from 'kysely';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.js';
import { now, type Db, type Dialect } from '../db/client.js';
import { newId } from '../lib/ids.js';

export interface JobContext {
  attempt: number;
  maxAttempts: number;
  log: Logger;
}

export interface JobDefinition<P = any> {
  name: string;
  maxAttempts: number;
  handle(payload: P, ctx: JobContext): Promise<void>;
  /** Runs once when the job gives up: out of attempts or a permanent error. */
  onGiveUp?(payload: P, error: unknown): Promise<void>;
}

/** Throw from a handler to run again after `delayMs` (e.g. a provider's Retry-After). */
export class RetryLater extends Error {
  constructor(readonly delayMs: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLater';
  }
}

export function isPermanent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: boolean }).retryable === false;
}

/** Exponential backoff with ±25% jitter: 1 s, 2 s, 4 s … capped at 10 minutes. */
export function backoffMs(attempt: number, baseMs = 1000): number {
  const exp = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 10 * 60_000);
  return Math.round(exp * (0.75 + Math.random() * 0.5));
}

type Executor = Db | Transaction<Database>;

export interface QueueOptions {
  leaseMs?: number;
  pollMs?: number;
  concurrency?: number;
  batchSize?: number;
  backoffBaseMs?: number;
  /** Window in which wake() calls are merged into one claim. */
  coalesceMs?: number;
}

export class JobQueue {
  readonly workerId = `${hostname()}:${process.pid}:${newId('w')}`;
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly backoffBaseMs: number;
  private running = false;
  private inFlight = 0;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private readonly completed: number[] = [];
  /** True when the last claim filled its batch or the worker was full: more work may be due. */
  private saturated = false;
  private readonly coalesceMs: number;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly log: Logger,
    options: QueueOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 250;
    this.concurrency = options.concurrency ?? 64;
    this.batchSize = options.batchSize ?? 32;
    this.backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.coalesceMs = options.coalesceMs ?? 2;
  }

  register(definition: JobDefinition): void {
    this.definitions.set(definition.name, definition);
  }

  /** Adds a job inside the caller's transaction; call wake() after the commit. */
  async enqueue(executor: Executor, name: string, payload: unknown, options: { runAt?: string; maxAttempts?: number } = {}): Promise<void> {
    const definition = this.definitions.get(name);
    await executor
      .insertInto('jobs')
      .values({
        name,
        payload: JSON.stringify(payload),
        run_at: options.runAt ?? now(),
        attempts: 0,
        max_attempts: options.maxAttempts ?? definition?.maxAttempts ?? 8,
        locked_by: null,
        locked_until: null,
        last_error: null,
        dead: 0,
        created_at: now(),
      })
      .execute();
  }

  /**
   * Asks the loop to claim soon. Wakes within a short window are coalesced, so a burst of
   * enqueues costs one claim query instead of one each.
   */
  wake(): void {
    this.pendingWake = true;
    if (this.wakeTimer || !this.wakeUp) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.wakeUp?.();
    }, this.coalesceMs);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming; in-flight jobs finish (or their lease makes them due again elsewhere). */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.running = false;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeUp?.();
    await this.loop;
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.deleteCompleted();
  }

  /** Resolves when no job is due and none is running (tests and benchmarks). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const due = await this.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('dead', '=', 0)
        .where('run_at', '<=', now())
        .executeTakeFirstOrThrow();
      if (Number(due.n) === 0 && this.inFlight === 0) return;
      if (Date.now() > deadline) throw new Error(`queue did not drain within ${timeoutMs} ms (${due.n} due, ${this.inFlight} running)`);
      this.wake();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.pendingWake = false;
      const room = this.concurrency - this.inFlight;
      this.saturated = room <= 0;
      if (room > 0) {
        try {
          const limit = Math.min(this.batchSize, room);
          const jobs = await this.claim(limit);
          this.saturated = jobs.length === limit;
          for (const job of jobs) {
            this.inFlight += 1;
            void this.execute(job).finally(() => {
              this.inFlight -= 1;
              if (this.saturated) this.wake();
            });
          }
        } catch (error) {
          this.log.error({ err: error }, 'job claim failed');
        }
      }
      if (this.saturated && this.inFlight < this.concurrency) continue;
      // Work enqueued while we were claiming is picked up after the coalescing window.
      const sleepMs = this.pendingWake ? this.coalesceMs : this.pollMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, sleepMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wakeUp = () => {
          this.wakeUp = null;
          done();
        };
      });
    }
  }

  private async claim(limit: number) {
    const at = now();
    const until = new Date(Date.now() + this.leaseMs).toISOString();
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const result = await sql<{ id: number; name: string; payload: string; attempts: number; max_attempts: number }>`
      update jobs set locked_by = ${this.workerId}, locked_until = ${until}, attempts = attempts + 1
      where id in (
        select id from jobs
        where dead = 0 and run_at <= ${at} and (locked_until is null or locked_until < ${at})
        order by run_at, id limit ${limit} ${lock}
      )
      returning id, name, payload, attempts, max_attempts`.execute(this.db);
    return result.rows;
  }

  private async execute(job: { id: number; name: string; payload: string; attempts: number; max_attempts: number }): Promise<void> {
    const definition = this.definitions.get(job.name);
    const log = this.log.child({ job: job.name, jobId: job.id, attempt: job.attempts });
    if (!definition) {
      await this.bury(job.id, `no handler registered for job "${job.name}"`);
      return;
    }
    const payload = JSON.parse(job.payload);
    try {
      await definition.handle(payload, { attempt: job.attempts, maxAttempts: job.max_attempts, log });
      this.complete(job.id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const giveUp = isPermanent(error) || job.attempts >= job.max_attempts;
      if (giveUp) {
        log.warn({ err: error }, 'job gave up');
        try {
          await definition.onGiveUp?.(payload, error);
        } catch (hookError) {
          log.error({ err: hookError }, 'job give-up hook failed');
        }
        await this.bury(job.id, message);
        return;
      }
      const delay = error instanceof RetryLater ? error.delayMs : backoffMs(job.attempts, this.backoffBaseMs);
      log.info({ err: message, retryInMs: delay }, 'job will retry');
      await this.db
        .updateTable('jobs')
        .set({ run_at: new Date(Date.now() + delay).toISOString(), locked_by: null, locked_until: null, last_error: message })
        .where('id', '=', job.id)
        .execute();
    }
  }

  /**
   * Finished jobs are deleted in batches, one statement per tick. A crash before the delete runs
   * a finished job again, which handlers tolerate: they are idempotent per message.
   */
  private complete(id: number): void {
    this.completed.push(id);
    if (this.completed.length === 1) setImmediate(() => void this.deleteCompleted());
  }

  private async deleteCompleted(): Promise<void> {
    const ids = this.completed.splice(0);
    if (ids.length === 0) return;
    try {
      await this.db.deleteFrom('jobs').where('id', 'in', ids).where('locked_by', '=', this.workerId).execute();
    } catch (error) {
      this.log.error({ err: error }, 'could not delete finished jobs; they will run again');
    }
  }

  private async bury(id: number, reason: string): Promise<void> {
    await this.db.updateTable('jobs').set({ dead: 1, locked_by: null, locked_until: null, last_error: reason }).where('id', '=', id).execute();
  }
}
