import pino from 'pino';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue, RetryLater } from '../../src/jobs/queue.js';
import { now } from '../../src/db/client.js';
import { createTestApp, eventually, type TestApp } from '../helper.js';

describe('durable job queue', () => {
  let harness: TestApp;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    harness = await createTestApp({ workers: false });
  });
  afterAll(() => harness.close());

  const queue = (options = {}) => new JobQueue(harness.ctx.db, harness.ctx.store.dialect, log, { pollMs: 10, backoffBaseMs: 10, ...options });

  it('runs a job again when the worker holding it died (lease expired)', async () => {
    const runs: string[] = [];
    const dead = queue({ leaseMs: 200 });
    dead.register({ name: 'lease.test', maxAttempts: 5, handle: () => new Promise(() => undefined) }); // never finishes: a hung or killed worker
    await dead.enqueue(harness.ctx.db, 'lease.test', { n: 1 });
    dead.start();
    await eventually(async () => (await harness.ctx.db.selectFrom('jobs').select('locked_by').where('name', '=', 'lease.test').executeTakeFirst())?.locked_by);
    void dead.stop(10);
    const alive = queue();
    alive.register({ name: 'lease.test', maxAttempts: 5, handle: async (payload) => void runs.push(JSON.stringify(payload)) });
    alive.start();
    await eventually(async () => runs.length === 1, 3000);
    await alive.stop();
    expect(await harness.ctx.db.selectFrom('jobs').selectAll().where('name', '=', 'lease.test').execute()).toHaveLength(0);
  });

  it('retries with backoff and gives up after max attempts, calling onGiveUp once', async () => {
    let attempts = 0;
    const gaveUp: unknown[] = [];
    const q = queue();
    q.register({
      name: 'retry.test',
      maxAttempts: 3,
      handle: async () => {
        attempts += 1;
        throw new Error('transient');
      },
      onGiveUp: async (_payload, error) => void gaveUp.push(error),
    });
    await q.enqueue(harness.ctx.db, 'retry.test', {});
    q.start();
    await eventually(async () => gaveUp.length === 1, 5000);
    await q.stop();
    expect(attempts).toBe(3);
    const row = await harness.ctx.db.selectFrom('jobs').selectAll().where('name', '=', 'retry.test').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ dead: 1, last_error: 'transient' });
  });

  it('does not retry permanent errors, and honours RetryLater delays and run_at', async () => {
    const seen: string[] = [];
    const q = queue();
    q.register({ name: 'permanent.test', maxAttempts: 5, handle: async () => { seen.push('permanent'); throw Object.assign(new Error('no'), { retryable: false }); } });
    let first = true;
    q.register({ name: 'later.test', maxAttempts: 5, handle: async () => { seen.push(first ? 'later-1' : 'later-2'); if (first) { first = false; throw new RetryLater(150, 'wait'); } } });
    q.register({ name: 'delayed.test', maxAttempts: 5, handle: async () => void seen.push('delayed') });
    await q.enqueue(harness.ctx.db, 'permanent.test', {});
    await q.enqueue(harness.ctx.db, 'later.test', {});
    await q.enqueue(harness.ctx.db, 'delayed.test', {}, { runAt: new Date(Date.now() + 400).toISOString() });
    const started = Date.now();
    q.start();
    await eventually(async () => seen.includes('later-2') && seen.includes('delayed'), 5000);
    await q.stop();
    expect(seen.filter((s) => s === 'permanent')).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(seen.indexOf('later-2')).toBeGreaterThan(seen.indexOf('later-1'));
  });

  it("hands the enqueuer's handoff to the job's first attempt only, and never a rolled-back job's to the job that takes its id", async () => {
    const seen: Array<{ n: number; attempt: number; handoff: unknown }> = [];
    const q = queue();
    q.register({
      name: 'handoff.test',
      maxAttempts: 3,
      handle: async (payload: { n: number }, { attempt, handoff }) => {
        seen.push({ n: payload.n, attempt, handoff });
        if (payload.n === 1 && attempt === 1) throw new Error('transient');
      },
    });
    await q.enqueue(harness.ctx.db, 'handoff.test', { n: 1 }, { handoff: { row: 1 } });
    // SQLite gives the rolled-back job's id to the next insert.
    await harness.ctx.db
      .transaction()
      .execute(async (trx) => {
        await q.enqueue(trx, 'handoff.test', { n: 0 }, { handoff: { row: 'rolled back' } });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await q.enqueue(harness.ctx.db, 'handoff.test', { n: 2 });
    q.start();
    await eventually(async () => seen.length === 3, 5000);
    await q.stop();
    expect(seen.sort((a, b) => a.n - b.n || a.attempt - b.attempt)).toEqual([
      { n: 1, attempt: 1, handoff: { row: 1 } },
      { n: 1, attempt: 2, handoff: undefined },
      { n: 2, attempt: 1, handoff: undefined },
    ]);
  });

  it('keeps handoffs within a memory budget, and frees it as their jobs run', async () => {
    const seen = new Map<number, unknown>();
    const q = queue();
    q.register({ name: 'budget.test', maxAttempts: 3, handle: async (payload: { n: number }, { handoff }) => void seen.set(payload.n, handoff) });
    const MB = 1024 * 1024;
    const enqueue = (n: number, handoffBytes?: number) => q.enqueue(harness.ctx.db, 'budget.test', { n }, { handoff: { n }, handoffBytes });
    await enqueue(1, 10 * MB);
    await enqueue(2, 10 * MB); // 20 MB would pass the 16 MB budget, and the first is not stale
    await enqueue(3, 20 * MB); // more than the whole budget
    await enqueue(4); // about 1 KB still fits
    q.start();
    await eventually(async () => seen.size === 4, 5000);
    expect([...seen.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [1, { n: 1 }],
      [2, undefined],
      [3, undefined],
      [4, { n: 4 }],
    ]);
    // What ran gave its share back.
    await enqueue(5, 15 * MB);
    await eventually(async () => seen.has(5), 5000);
    await q.stop();
    expect(seen.get(5)).toEqual({ n: 5 });
  });

  it('shares work between two workers without running a job twice', async () => {
    const runs = new Map<number, number>();
    const make = () => {
      const q = queue({ batchSize: 5 });
      q.register({ name: 'share.test', maxAttempts: 3, handle: async ({ n }: { n: number }) => void runs.set(n, (runs.get(n) ?? 0) + 1) });
      return q;
    };
    const [a, b] = [make(), make()];
    await harness.ctx.db.transaction().execute(async (trx) => {
      for (let n = 0; n < 200; n += 1) await a.enqueue(trx, 'share.test', { n });
    });
    a.start();
    b.start();
    await eventually(async () => runs.size === 200, 10_000);
    await Promise.all([a.stop(), b.stop()]);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(now()).toBeTruthy();
  });

  it("finds a free type's job behind another type's backlog, and keeps the busy type to its budget", async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    // Jobs only the table scan can find (written by another node or an earlier run): no hints.
    await harness.ctx.db.transaction().execute(async (trx) => {
      for (let n = 0; n < 2000; n += 1) await trx.insertInto('jobs').values({ name: 'backlog.test', payload: '{}', run_at: at, attempts: 0, max_attempts: 3, dead: 0, created_at: at }).execute();
      await trx.insertInto('jobs').values({ name: 'other.test', payload: '{}', run_at: new Date().toISOString(), attempts: 0, max_attempts: 3, dead: 0, created_at: at }).execute();
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let backlogStarted = 0;
    let otherRan = false;
    const q = queue({ pollMs: 20 });
    q.register({ name: 'backlog.test', maxAttempts: 3, concurrency: 2, handle: async () => { backlogStarted += 1; await held; } });
    q.register({ name: 'other.test', maxAttempts: 3, handle: async () => void (otherRan = true) });
    q.start();
    await eventually(async () => otherRan, 5_000);
    // The busy type holds its budget's share for one tenant (half of 2), however long its backlog.
    expect(backlogStarted).toBe(1);
    release();
    await q.stop();
    await harness.ctx.db.deleteFrom('jobs').where('name', 'in', ['backlog.test', 'other.test']).execute();
  });

  it('keeps due jobs indexed by type, so a scan reads one range per type', async () => {
    if (harness.ctx.store.dialect !== 'sqlite') return;
    const { rows } = await sql<{ name: string }>`select name from pragma_index_info('jobs_due') order by seqno`.execute(harness.ctx.db);
    expect(rows.map((row) => row.name)).toEqual(['dead', 'name', 'run_at']);
    const plan = await sql<{ detail: string }>`explain query plan select id from jobs where dead = 0 and name = ${'x'} and run_at <= ${now()} order by run_at, id limit 256`.execute(harness.ctx.db);
    expect(plan.rows.map((row) => row.detail).join(' ')).toMatch(/jobs_due \(dead=\? AND name=\? AND run_at<\?\)/);
  });

  it('deletes finished jobs in batches through the group commit', async () => {
    const deletes: number[] = [];
    const writes = {
      run<T>(work: (trx: never) => Promise<T>): Promise<T> {
        deletes.push(1);
        return harness.ctx.db.transaction().execute(work as never);
      },
    };
    const q = queue({ writes, batchSize: 32 });
    q.register({ name: 'delete.test', maxAttempts: 3, concurrency: 100, handle: async () => undefined });
    await harness.ctx.db.transaction().execute(async (trx) => {
      for (let n = 0; n < 100; n += 1) await q.enqueue(trx, 'delete.test', { n });
    });
    q.start();
    await eventually(async () => Number((await harness.ctx.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('name', '=', 'delete.test').executeTakeFirstOrThrow()).n) === 0, 5000);
    // 100 finished jobs: a handful of statements, not one per tick of the event loop.
    expect(deletes.length).toBeGreaterThan(0);
    expect(deletes.length).toBeLessThanOrEqual(8);

    await q.stop();
    expect(await harness.ctx.db.selectFrom('jobs').selectAll().where('name', '=', 'delete.test').execute()).toHaveLength(0);
  });

  describe('jobs enqueued on a running worker with a free slot (written already claimed)', () => {
    it('runs each committed job once, with its handoff, and never a rolled-back one nor its handoff under its reused id', async () => {
      const seen: Array<{ n: number; attempt: number; handoff: unknown }> = [];
      const q = queue();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      q.register({ name: 'born.test', maxAttempts: 3, concurrency: 4, handle: async (payload: { n: number }, { attempt, handoff }) => {
        await gate;
        seen.push({ n: payload.n, attempt, handoff });
      } });
      q.start();
      await q.enqueue(harness.ctx.db, 'born.test', { n: 1 }, { handoff: { row: 1 } });
      const written = await harness.ctx.db.selectFrom('jobs').select(['locked_by', 'attempts']).where('name', '=', 'born.test').executeTakeFirstOrThrow();
      expect(written).toEqual({ locked_by: q.workerId, attempts: 1 });
      await harness.ctx.db
        .transaction()
        .execute(async (trx) => {
          await q.enqueue(trx, 'born.test', { n: 0 }, { handoff: { row: 'rolled back' } });
          throw new Error('roll back');
        })
        .catch(() => undefined);
      q.wake();
      release();
      await eventually(async () => seen.length === 1, 5000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen).toHaveLength(1);
      // On SQLite this job takes the rolled-back one's id.
      await q.enqueue(harness.ctx.db, 'born.test', { n: 2 });
      q.wake();
      await eventually(async () => seen.length === 2, 5000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await q.stop();
      expect(seen.sort((a, b) => a.n - b.n)).toEqual([
        { n: 1, attempt: 1, handoff: { row: 1 } },
        { n: 2, attempt: 1, handoff: undefined },
      ]);
      expect(await harness.ctx.db.selectFrom('jobs').selectAll().where('name', '=', 'born.test').execute()).toEqual([]);
    });

    it('writes a job unclaimed once its type has no free slot, and runs it when one frees', async () => {
      const q = queue();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const ran: number[] = [];
      q.register({ name: 'full.test', maxAttempts: 3, concurrency: 2, handle: async ({ n }: { n: number }) => {
        await gate;
        ran.push(n);
      } });
      q.start();
      for (let n = 0; n < 5; n += 1) await q.enqueue(harness.ctx.db, 'full.test', { n });
      // A budget of 2 holds at most one tenant's share of 1 at a time (half the budget): one born claimed.
      const rows = await harness.ctx.db.selectFrom('jobs').select(['locked_by']).where('name', '=', 'full.test').orderBy('id').execute();
      expect(rows.filter((row) => row.locked_by === q.workerId).length).toBeLessThanOrEqual(2);
      expect(rows.filter((row) => row.locked_by === null).length).toBeGreaterThanOrEqual(3);
      q.wake();
      release();
      await eventually(async () => ran.length === 5, 5000);
      await q.stop();
      expect(ran.sort()).toEqual([0, 1, 2, 3, 4]);
    });

    it('gives a job enqueued here back to the table when the worker stops before starting it', async () => {
      // A loop that sleeps long after its first look: nothing wakes it before the stop.
      const first = queue({ pollMs: 60_000 });
      first.register({ name: 'handback.test', maxAttempts: 3, handle: async () => undefined });
      first.start();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await first.enqueue(harness.ctx.db, 'handback.test', { n: 1 });
      expect(await harness.ctx.db.selectFrom('jobs').select(['locked_by', 'attempts']).where('name', '=', 'handback.test').executeTakeFirst()).toEqual({ locked_by: first.workerId, attempts: 1 });
      await first.stop();
      expect(await harness.ctx.db.selectFrom('jobs').select(['locked_by', 'attempts']).where('name', '=', 'handback.test').executeTakeFirst()).toEqual({ locked_by: null, attempts: 0 });
      const ran: number[] = [];
      const second = queue();
      second.register({ name: 'handback.test', maxAttempts: 3, handle: async ({ n }: { n: number }) => void ran.push(n) });
      second.start();
      await eventually(async () => ran.length === 1, 5000);
      await second.stop();
      expect(await harness.ctx.db.selectFrom('jobs').selectAll().where('name', '=', 'handback.test').execute()).toEqual([]);
    });
  });
});
