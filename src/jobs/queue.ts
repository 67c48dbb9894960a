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
import { prepared } from '../db/prepared.js';
import { JobHints } from './job-hints.js';
import type { WriteBatcher } from '../db/write-batcher.js';
import { newId } from '../lib/ids.js';

export interface JobContext {
  attempt: number;
  maxAttempts: number;
  log: Logger;
  /**
   * What the enqueuer handed over with the job (see enqueue's `handoff`), when this node runs the
   * job's first attempt; otherwise undefined, and the handler reads what it needs.
   */
  handoff?: unknown;
}

export interface JobDefinition<P = any> {
  name: string;
  maxAttempts: number;
  /**
   * Worker slots this job type may hold at once on a node (default 8). Types have their own
   * budgets so slow work of one kind (media downloads) never starves another (sends).
   */
  concurrency?: number;
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

/** The longest a job is ever postponed: a bigger hint (a provider's Retry-After) is clamped. */
export const MAX_RETRY_DELAY_MS = 24 * 60 * 60_000;

export function clampDelayMs(delayMs: number): number {
  return Number.isFinite(delayMs) ? Math.min(Math.max(0, Math.round(delayMs)), MAX_RETRY_DELAY_MS) : MAX_RETRY_DELAY_MS;
}

const DEFAULT_CONCURRENCY = 8;

/** Exponential backoff with ±25% jitter: 1 s, 2 s, 4 s … capped at 10 minutes. */
export function backoffMs(attempt: number, baseMs = 1000): number {
  const exp = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 10 * 60_000);
  return Math.round(exp * (0.75 + Math.random() * 0.5));
}

type Executor = Db | Transaction<Database>;

type JobValues = {
  name: string;
  payload: string;
  runAt: string;
  maxAttempts: number;
  createdAt: string;
  tenantId: string | null;
  /** Set when the enqueuing node takes the job at once (see enqueue): the row is born claimed. */
  lockedBy: string | null;
  lockedUntil: string | null;
  attempts: number;
};
const jobRow = (db: Executor, p: JobValues) =>
  db
    .insertInto('jobs')
    .values({ name: p.name, payload: p.payload, run_at: p.runAt, attempts: p.attempts, max_attempts: p.maxAttempts, locked_by: p.lockedBy, locked_until: p.lockedUntil, last_error: null, dead: 0, created_at: p.createdAt, tenant_id: p.tenantId });
// On SQLite the new id comes from the insert itself: RETURNING on an AUTOINCREMENT table costs
// about three times the plain insert there (issue 11). PostgreSQL reports no insert id, so it returns it.
const insertJob = prepared<JobValues>()(jobRow);
const insertJobReturningId = prepared<JobValues>()((db, p) => jobRow(db, p).returning('id'));

/**
 * How long a hint whose job was not there is tried again. On PostgreSQL a claim can run before
 * the job's transaction commits (another transaction's wake came first); a rolled-back job or one
 * another node took never appears. Anything dropped is still found by the table scan.
 */
const HINT_TTL_MS = 2_000;
// About 100 bytes each: a backlog of this many due jobs still costs no table scans.
const MAX_HINTS = 65_536;
// Handoffs are whole rows (a text message is about 0.8 KB in memory): only the jobs about to run
// keep one. 16,384 of them cover a backlog of a few seconds at full load (with 4,096, 57 % of the
// inbound benchmark's jobs read their message back, 16 µs each), and together they hold at most
// 16 MB: an inbound text may be 100,000 characters.
const MAX_HANDOFFS = 16_384;
const MAX_HANDOFF_BYTES = 16 * 1024 * 1024;
const DEFAULT_HANDOFF_BYTES = 1024;
const HANDOFF_TTL_MS = 60_000;
// Finished jobs deleted per statement, and the longest a finished job waits for its delete.
const DELETE_BATCH = 64;
const DELETE_DELAY_MS = 10;

interface ClaimedJob {
  id: number;
  name: string;
  payload: string;
  attempts: number;
  max_attempts: number;
  tenant_id: string | null;
}

export interface QueueOptions {
  leaseMs?: number;
  pollMs?: number;
  /** Overall ceiling of jobs running at once on this node (the per-type budgets add up below it). */
  concurrency?: number;
  batchSize?: number;
  backoffBaseMs?: number;
  /** Window in which wake() calls are merged into one claim. */
  coalesceMs?: number;
  /**
   * Group commit: deletes of finished jobs join the transactions the node writes anyway (ingest,
   * accepted sends) instead of each paying a commit of its own.
   */
  writes?: WriteBatcher;
}

export class JobQueue {
  readonly workerId = `${hostname()}:${process.pid}:${newId('w')}`;
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly backoffBaseMs: number;
  private active = false;
  private inFlight = 0;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private readonly completed: number[] = [];
  /** True when the last claim filled its batch or the worker was full: more work may be due. */
  private saturated = false;
  private readonly coalesceMs: number;
  private readonly writes: Pick<WriteBatcher, 'run'>;
  /** Running jobs by type and tenant, for the per-type budgets and the per-tenant share. */
  private readonly running = new Map<string, Map<string, number>>();
  private readonly runningIds = new Set<number>();
  /** Jobs enqueued here that are due now (see claimHinted). */
  private readonly hints = new JobHints(MAX_HINTS, HINT_TTL_MS);
  /** Job id → what its enqueuer handed over (see enqueue). */
  private readonly handoffs = new Map<number, { handoff: unknown; bytes: number; at: number }>();
  private handoffBytes = 0;
  /**
   * Jobs this node enqueued already claimed, to start once their row is seen committed (see
   * enqueue); each holds a worker slot of its type and tenant until it starts or is dropped.
   */
  private readonly preclaimed = new Map<number, { job: ClaimedJob; at: number }>();
  /** When the table was last scanned for due jobs, and whether more may wait there (a full scan, or a hint refused). */
  private lastTableClaim = 0;
  private tableBacklog = false;

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly log: Logger,
    options: QueueOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 250;
    this.concurrency = options.concurrency ?? 128;
    this.batchSize = options.batchSize ?? 32;
    this.backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.coalesceMs = options.coalesceMs ?? 2;
    this.writes = options.writes ?? { run: (work) => this.db.transaction().execute(work) };
  }

  register(definition: JobDefinition): void {
    this.definitions.set(definition.name, definition);
  }

  /**
   * Adds a job inside the caller's transaction; call wake() after the commit. `handoff` is kept in
   * memory for the job's first attempt on this node, so its handler need not read back the row it
   * is about (issue 11: inbound.process re-read every message it was given). It must hold only
   * what stays true after the commit, and the handler checks it is about its job.
   *
   * A job due now, of a type this running node has a free slot for, is written already claimed by
   * this node (issue 11: the claim was a write per batch of jobs). It starts once a read sees its
   * row committed; if this node dies first, its lease runs out and any node takes it.
   */
  async enqueue(executor: Executor, name: string, payload: unknown, options: { runAt?: string; maxAttempts?: number; tenantId?: string | null; handoff?: unknown; handoffBytes?: number } = {}): Promise<void> {
    const definition = this.definitions.get(name);
    const at = now();
    const runAt = options.runAt ?? at;
    const tenant = options.tenantId ?? '';
    const takeNow = runAt <= at && definition !== undefined && this.active && this.hasRoom(name, tenant);
    const values: JobValues = {
      name,
      payload: JSON.stringify(payload),
      runAt,
      maxAttempts: options.maxAttempts ?? definition?.maxAttempts ?? 8,
      createdAt: at,
      tenantId: options.tenantId ?? null,
      lockedBy: takeNow ? this.workerId : null,
      lockedUntil: takeNow ? new Date(Date.now() + this.leaseMs).toISOString() : null,
      attempts: takeNow ? 1 : 0,
    };
    const id = this.dialect === 'sqlite' ? (await insertJob.execute(executor, values)).insertId : (await insertJobReturningId.first(executor, values))?.id;
    if (id === undefined) return;
    // SQLite gives a rolled-back job's id to the next job: whatever was kept for it goes.
    this.takeHandoff(Number(id));
    this.dropPreclaimed(Number(id));
    if (takeNow) {
      const job: ClaimedJob = { id: Number(id), name, payload: values.payload, attempts: 1, max_attempts: values.maxAttempts, tenant_id: values.tenantId };
      this.preclaimed.set(job.id, { job, at: Date.now() });
      this.adjustRunning(name, tenant, 1);
      if (options.handoff !== undefined) this.keepHandoff(job.id, options.handoff, options.handoffBytes);
      return;
    }
    if (runAt > at || !definition) return;
    if (!this.hints.add(Number(id), name, tenant)) {
      this.tableBacklog = true;
      return;
    }
    if (options.handoff !== undefined) this.keepHandoff(Number(id), options.handoff, options.handoffBytes);
  }

  /**
   * When full (by count or by memory), the oldest handoffs go only once stale (their jobs ran
   * elsewhere or never committed); otherwise the new job goes without. Jobs are claimed oldest
   * first, so under a backlog the kept handoffs are the ones about to be used, and room frees with
   * every job run. `bytes` is the enqueuer's estimate of what the handoff holds in memory.
   */
  private keepHandoff(id: number, handoff: unknown, bytes = DEFAULT_HANDOFF_BYTES): void {
    if (bytes > MAX_HANDOFF_BYTES) return;
    while (this.handoffs.size >= MAX_HANDOFFS || this.handoffBytes + bytes > MAX_HANDOFF_BYTES) {
      const oldest = this.handoffs.entries().next();
      if (oldest.done || Date.now() - oldest.value[1].at < HANDOFF_TTL_MS) return;
      this.takeHandoff(oldest.value[0]);
    }
    this.handoffs.set(id, { handoff, bytes, at: Date.now() });
    this.handoffBytes += bytes;
  }

  /** Removes a job's handoff and returns it. */
  private takeHandoff(id: number): unknown {
    const entry = this.handoffs.get(id);
    if (!entry) return undefined;
    this.handoffs.delete(id);
    this.handoffBytes -= entry.bytes;
    return entry.handoff;
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
    if (this.active) return;
    this.active = true;
    this.stopping = null;
    this.loop = this.run();
  }

  /**
   * Stops claiming at once; in-flight jobs get `graceMs` to finish. Jobs still running then are
   * released (their lease cleared) so another node takes them now rather than when the lease ends.
   */
  stop(graceMs = 10_000): Promise<void> {
    // Shutdown calls this early and again when the context closes: one grace period, not two.
    return (this.stopping ??= this.stopNow(graceMs));
  }

  private stopping: Promise<void> | null = null;

  private async stopNow(graceMs: number): Promise<void> {
    this.active = false;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeUp?.();
    await this.loop;
    // Jobs enqueued here already claimed but not started yet go back to the table at once, as never tried.
    const unstarted = [...this.preclaimed.keys()];
    for (const id of unstarted) this.dropPreclaimed(id);
    if (unstarted.length > 0) {
      try {
        await this.db.updateTable('jobs').set({ locked_by: null, locked_until: null, attempts: 0 }).where('id', 'in', unstarted).where('locked_by', '=', this.workerId).execute();
      } catch (error) {
        this.log.error({ err: error }, 'could not release jobs enqueued here; they run when their lease ends');
      }
    }
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.deleteCompleted();
    if (this.runningIds.size > 0) {
      const ids = [...this.runningIds];
      this.log.warn({ jobs: ids.length }, 'shutdown grace ended; releasing unfinished jobs to other workers');
      try {
        await this.db.updateTable('jobs').set({ locked_by: null, locked_until: null }).where('id', 'in', ids).where('locked_by', '=', this.workerId).execute();
      } catch (error) {
        this.log.error({ err: error }, 'could not release unfinished jobs; they run again when their lease ends');
      }
    }
  }

  /** Whether the worker is claiming jobs (false once stop() began). */
  get isRunning(): boolean {
    return this.active;
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
    while (this.active) {
      this.pendingWake = false;
      if (this.preclaimed.size > 0) {
        try {
          await this.startPreclaimed();
        } catch (error) {
          this.log.error({ err: error }, 'starting jobs enqueued here failed');
        }
      }
      const room = this.concurrency - this.inFlight - this.preclaimed.size;
      this.saturated = room <= 0;
      if (room > 0) {
        try {
          const limit = Math.min(this.batchSize, room);
          let claimed = 0;
          if (this.hints.size > 0) {
            const hinted = await this.claimHinted(limit);
            for (const job of hinted) this.startJob(job);
            claimed += hinted.length;
          }
          // The table scan finds what no hint names: retries, scheduled jobs, other nodes' and
          // earlier runs' jobs. It runs at the poll cadence, or back to back while it finds a backlog.
          if (claimed < limit && (this.tableBacklog || Date.now() - this.lastTableClaim >= this.pollMs)) {
            const scanned = await this.claim(limit - claimed);
            this.lastTableClaim = Date.now();
            // A full batch of jobs no hint named means more may wait in the table: scan again at once.
            this.tableBacklog = scanned.length === limit - claimed && scanned.some((job) => !this.hints.has(job.id));
            for (const job of scanned) {
              this.hints.forget(job.id);
              this.startJob(job);
            }
            claimed += scanned.length;
          }
          this.saturated = claimed === limit;
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

  /** Whether a job of this type and tenant could start now without going over the type's budget or the tenant's share. */
  private hasRoom(name: string, tenant: string): boolean {
    return this.inFlight + this.preclaimed.size < this.concurrency && this.runningCount(name) < this.budget(name) && this.runningCount(name, tenant) < this.tenantCap(name);
  }

  /** Counts a job against its type's budget and its tenant's share (started or preclaimed). */
  private adjustRunning(name: string, tenant: string, by: 1 | -1): void {
    const byTenant = this.running.get(name) ?? new Map<string, number>();
    this.running.set(name, byTenant);
    const count = (byTenant.get(tenant) ?? 0) + by;
    if (count > 0) byTenant.set(tenant, count);
    else byTenant.delete(tenant);
  }

  private dropPreclaimed(id: number): void {
    const entry = this.preclaimed.get(id);
    if (!entry) return;
    this.preclaimed.delete(id);
    this.adjustRunning(entry.job.name, entry.job.tenant_id ?? '', -1);
  }

  /**
   * Starts the preclaimed jobs whose rows a read now finds committed and held by this node. One
   * not there yet (its transaction is still open, on PostgreSQL) is looked for again until
   * HINT_TTL_MS; then it is let go: never committed, or left to its lease.
   */
  private async startPreclaimed(): Promise<void> {
    const ids = [...this.preclaimed.keys()];
    const rows = await this.db.selectFrom('jobs').select('id').where('id', 'in', ids).where('locked_by', '=', this.workerId).execute();
    const found = new Set(rows.map((row) => Number(row.id)));
    const stale = Date.now() - HINT_TTL_MS;
    for (const id of ids) {
      const entry = this.preclaimed.get(id);
      if (!entry) continue;
      if (found.has(id)) {
        this.dropPreclaimed(id);
        this.startJob(entry.job);
      } else if (entry.at < stale) {
        this.dropPreclaimed(id);
        this.takeHandoff(id);
      }
    }
  }

  private budget(name: string): number {
    return this.definitions.get(name)?.concurrency ?? DEFAULT_CONCURRENCY;
  }

  /** The most jobs of one type a single tenant runs at once on this node: half the type's budget. */
  private tenantCap(name: string): number {
    return Math.max(1, Math.ceil(this.budget(name) / 2));
  }

  private runningCount(name: string, tenant?: string): number {
    const byTenant = this.running.get(name);
    if (!byTenant) return 0;
    if (tenant !== undefined) return byTenant.get(tenant) ?? 0;
    let total = 0;
    for (const count of byTenant.values()) total += count;
    return total;
  }

  private startJob(job: ClaimedJob): void {
    const tenant = job.tenant_id ?? '';
    this.adjustRunning(job.name, tenant, 1);
    this.runningIds.add(job.id);
    this.inFlight += 1;
    this.execute(job)
      .catch((error) => this.log.error({ err: error, job: job.name, jobId: job.id }, 'job bookkeeping failed; the job runs again when its lease ends'))
      .finally(() => {
        this.inFlight -= 1;
        this.runningIds.delete(job.id);
        this.adjustRunning(job.name, tenant, -1);
        const left = this.runningCount(job.name, tenant);
        // A type, or this tenant's share of it, that was full has room again: claim soon rather
        // than at the next poll (a single busy tenant otherwise ran one share per poll interval).
        if (this.saturated || this.runningCount(job.name) + 1 >= this.budget(job.name) || left + 1 >= this.tenantCap(job.name)) this.wake();
      });
  }

  /**
   * Claims due jobs within each type's free budget, at most half of a type's budget per tenant,
   * round-robin across tenants: one tenant's backlog cannot hold every slot of a type.
   */
  private async claim(limit: number): Promise<ClaimedJob[]> {
    const rooms: Array<{ name: string; room: number; tenantCap: number; busyTenants: string[] }> = [];
    for (const name of this.definitions.keys()) {
      const budget = this.budget(name);
      const room = budget - this.runningCount(name);
      if (room <= 0) continue;
      const tenantCap = this.tenantCap(name);
      const busyTenants = [...(this.running.get(name)?.entries() ?? [])].filter(([tenant, count]) => tenant !== '' && count >= tenantCap).map(([tenant]) => tenant);
      rooms.push({ name, room, tenantCap, busyTenants });
    }
    if (rooms.length === 0) return [];
    const at = now();
    const until = new Date(Date.now() + this.leaseMs).toISOString();
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const perType = Math.max(limit * 8, 256);
    // One range of jobs_due (dead, name, run_at) per type with free workers, each in run order:
    // a backlog of one type is never walked to find another type's jobs.
    const dueOfType = (room: (typeof rooms)[number], index: number) => {
      const busyFilter = room.busyTenants.length > 0 ? sql`and coalesce(tenant_id, '') not in (${sql.join(room.busyTenants)})` : sql``;
      return sql`select * from (
        select id, name, tenant_id, run_at from jobs
        where dead = 0 and name = ${room.name} and run_at <= ${at} and (locked_until is null or locked_until < ${at}) ${busyFilter}
        order by run_at, id limit ${sql.lit(perType)} ${lock}
      ) as ${sql.id(`due_${index}`)}`;
    };
    const caseOf = (pick: (r: (typeof rooms)[number]) => number) => sql`case name ${sql.join(rooms.map((r) => sql`when ${r.name} then ${sql.lit(pick(r))}`), sql` `)} else 0 end`;
    const result = await sql<ClaimedJob>`
      with candidates as (
        ${sql.join(rooms.map(dueOfType), sql` union all `)}
      ), per_tenant as (
        select id, name, run_at, row_number() over (partition by name, tenant_id order by run_at, id) as tenant_rank from candidates
      ), per_type as (
        select id, tenant_rank, run_at, row_number() over (partition by name order by tenant_rank, run_at, id) as type_rank, name
        from per_tenant where tenant_rank <= ${caseOf((r) => r.tenantCap)}
      )
      update jobs set locked_by = ${this.workerId}, locked_until = ${until}, attempts = attempts + 1
      where id in (select id from per_type where type_rank <= ${caseOf((r) => r.room)} order by tenant_rank, run_at, id limit ${sql.lit(limit)})
      returning id, name, payload, attempts, max_attempts, tenant_id`.execute(this.db);
    return result.rows;
  }

  /**
   * Claims hinted jobs by id within each type's free budget and each tenant's share. A hint
   * whose job is not there (yet) stays for HINT_TTL_MS.
   */
  private async claimHinted(limit: number): Promise<ClaimedJob[]> {
    const picked = this.hints.pick(
      limit,
      (name) => this.budget(name) - this.runningCount(name),
      (name, tenant) => this.tenantCap(name) - this.runningCount(name, tenant),
    );
    if (picked.length === 0) return [];
    const at = now();
    const rows = await this.db
      .updateTable('jobs')
      .set({ locked_by: this.workerId, locked_until: new Date(Date.now() + this.leaseMs).toISOString(), attempts: sql`attempts + 1` })
      .where('id', 'in', picked)
      // `dead + 0`: the condition must not make SQLite pick the jobs_due index over the primary key.
      .where(sql<number>`dead + 0`, '=', 0)
      .where('run_at', '<=', at)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', at)]))
      .returning(['id', 'name', 'payload', 'attempts', 'max_attempts', 'tenant_id'])
      .execute();
    const claimed = new Set(rows.map((row) => row.id));
    this.hints.claimed(claimed);
    this.hints.missed(picked.filter((id) => !claimed.has(id)), Date.now());
    return rows;
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const handoff = this.takeHandoff(job.id);
    const definition = this.definitions.get(job.name);
    const log = this.log.child({ job: job.name, jobId: job.id, attempt: job.attempts });
    if (!definition) {
      await this.bury(job.id, `no handler registered for job "${job.name}"`);
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(job.payload);
    } catch {
      await this.bury(job.id, 'the job payload is not valid JSON');
      return;
    }
    try {
      await definition.handle(payload, { attempt: job.attempts, maxAttempts: job.max_attempts, log, handoff: job.attempts === 1 ? handoff : undefined });
      this.complete(job.id);
    } catch (error) {
      await this.fail(definition, job, payload, error, log);
    }
  }

  /** A job's failure handling must never take the process down: every step is guarded. */
  private async fail(definition: JobDefinition, job: ClaimedJob, payload: unknown, error: unknown, log: Logger): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
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
    const delay = clampDelayMs(error instanceof RetryLater ? error.delayMs : backoffMs(job.attempts, this.backoffBaseMs));
    log.info({ err: message, retryInMs: delay }, 'job will retry');
    await this.db
      .updateTable('jobs')
      .set({ run_at: new Date(Date.now() + delay).toISOString(), locked_by: null, locked_until: null, last_error: message })
      .where('id', '=', job.id)
      .execute();
  }

  /**
   * Finished jobs are deleted in batches: one statement per DELETE_BATCH jobs or DELETE_DELAY_MS,
   * whichever comes first. A crash before the delete runs a finished job again, which handlers
   * tolerate: they are idempotent per message.
   */
  private complete(id: number): void {
    this.completed.push(id);
    if (this.completed.length >= DELETE_BATCH) void this.deleteCompleted();
    else this.deleteTimer ??= setTimeout(() => void this.deleteCompleted(), DELETE_DELAY_MS);
  }

  private deleteTimer: NodeJS.Timeout | null = null;

  /** Deletes of finished jobs still on their way; stop() waits for them so none outlives the worker. */
  private readonly deleting = new Set<Promise<void>>();

  private async deleteCompleted(): Promise<void> {
    if (this.deleteTimer) clearTimeout(this.deleteTimer);
    this.deleteTimer = null;
    const ids = this.completed.splice(0);
    if (ids.length > 0) {
      const deletion = this.writes
        .run((trx) => trx.deleteFrom('jobs').where('id', 'in', ids).where('locked_by', '=', this.workerId).execute())
        .then(
          () => undefined,
          (error: unknown) => this.log.error({ err: error }, 'could not delete finished jobs; they will run again'),
        )
        .finally(() => this.deleting.delete(deletion));
      this.deleting.add(deletion);
    }
    await Promise.all(this.deleting);
  }

  private async bury(id: number, reason: string): Promise<void> {
    await this.db.updateTable('jobs').set({ dead: 1, locked_by: null, locked_until: null, last_error: reason }).where('id', '=', id).execute();
  }
}
