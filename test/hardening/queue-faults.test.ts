/**
 * Issue 10, items 2, 8 and 17: the queue survives absurd retry hints, gives each job type its
 * own budget and each tenant a share of it, and releases unfinished work on shutdown.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue, MAX_RETRY_DELAY_MS, RetryLater } from '../../src/jobs/queue.js';
import { createTestApp, eventually, type TestApp } from '../helper.js';

describe('queue under faults', () => {
  let harness: TestApp;
  const queues: JobQueue[] = [];
  const log = pino({ level: 'silent' });
  const queue = (options = {}) => {
    const q = new JobQueue(harness.ctx.db, harness.ctx.store.dialect, log, { pollMs: 10, backoffBaseMs: 10, ...options });
    queues.push(q);
    return q;
  };
  const hang = () => new Promise<void>(() => undefined);

  beforeAll(async () => {
    harness = await createTestApp({ workers: false });
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop(10)));
    await harness.ctx.db.deleteFrom('jobs').execute();
  });
  afterAll(() => harness.close());

  it('clamps an absurd Retry-After instead of crashing, and keeps working', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const ran: string[] = [];
      const q = queue();
      q.register({ name: 'throttled', maxAttempts: 5, handle: async () => { throw new RetryLater(99_999_999_999_999 * 1000, 'provider asked for Retry-After: 99999999999999'); } });
      q.register({ name: 'after', maxAttempts: 1, handle: async () => void ran.push('after') });
      await q.enqueue(harness.ctx.db, 'throttled', {});
      q.start();
      const row = await eventually(async () => {
        const job = await harness.ctx.db.selectFrom('jobs').selectAll().where('name', '=', 'throttled').executeTakeFirst();
        return job?.last_error ? job : null;
      });
      const delay = Date.parse(row.run_at) - Date.now();
      expect(delay).toBeGreaterThan(MAX_RETRY_DELAY_MS - 60_000);
      expect(delay).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
      expect(row.locked_by).toBeNull();
      await q.enqueue(harness.ctx.db, 'after', {});
      q.wake();
      await eventually(async () => ran.length === 1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('gives each job type its own budget: hung media work never starves sends', async () => {
    const sent: number[] = [];
    const q = queue();
    q.register({ name: 'media.slow', maxAttempts: 1, concurrency: 4, handle: hang });
    q.register({ name: 'send.fast', maxAttempts: 1, concurrency: 4, handle: async () => void sent.push(Date.now()) });
    for (let i = 0; i < 70; i += 1) await q.enqueue(harness.ctx.db, 'media.slow', { i }, { tenantId: 'tn_a' });
    q.start();
    await eventually(async () => Number((await harness.ctx.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('locked_by', 'is not', null).executeTakeFirstOrThrow()).n) > 0);
    const enqueuedAt = Date.now();
    await q.enqueue(harness.ctx.db, 'send.fast', {}, { tenantId: 'tn_b' });
    q.wake();
    await eventually(async () => sent.length === 1, 2000);
    expect(sent[0]! - enqueuedAt).toBeLessThan(1000);
    const locked = await harness.ctx.db.selectFrom('jobs').select('id').where('name', '=', 'media.slow').where('locked_by', 'is not', null).execute();
    // One tenant holds at most half of the type's budget of 4.
    expect(locked).toHaveLength(2);
  });

  it('keeps one tenant from taking every slot of a type', async () => {
    const ranFor: string[] = [];
    const q = queue();
    q.register({
      name: 'shared',
      maxAttempts: 1,
      concurrency: 4,
      handle: async (payload: { tenant: string }) => {
        ranFor.push(payload.tenant);
        if (payload.tenant === 'tn_busy') await hang();
      },
    });
    for (let i = 0; i < 20; i += 1) await q.enqueue(harness.ctx.db, 'shared', { tenant: 'tn_busy' }, { tenantId: 'tn_busy' });
    q.start();
    await eventually(async () => ranFor.length >= 2);
    await q.enqueue(harness.ctx.db, 'shared', { tenant: 'tn_quiet' }, { tenantId: 'tn_quiet' });
    q.wake();
    await eventually(async () => ranFor.includes('tn_quiet'), 2000);
    // Half the type's budget is the most one tenant holds.
    expect(ranFor.filter((t) => t === 'tn_busy')).toHaveLength(2);
  });

  it('refills a tenant’s share as soon as one of its jobs ends, not at the next poll', async () => {
    let done = 0;
    // A poll interval far longer than the whole run: only the end of a job can trigger the next claim.
    const q = queue({ pollMs: 60_000 });
    q.register({
      name: 'share.refill',
      maxAttempts: 1,
      concurrency: 4,
      handle: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        done += 1;
      },
    });
    await harness.ctx.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 40; i += 1) await q.enqueue(trx, 'share.refill', { i }, { tenantId: 'tn_alone' });
    });
    q.start();
    // 40 jobs two at a time (half of 4); one share per poll would take 20 polls of a minute.
    await eventually(async () => done === 40, 5000).catch((e) => { throw new Error(`done ${done}: ${e.message}`); });
  });

  it('claims a job this node enqueued by its id at once, without waiting for the table scan', async () => {
    const ran: string[] = [];
    // The table is scanned when the worker starts, then only once a minute.
    const q = queue({ pollMs: 60_000 });
    q.register({ name: 'hinted', maxAttempts: 1, handle: async (payload: { n: string }) => void ran.push(payload.n) });
    q.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await q.enqueue(harness.ctx.db, 'hinted', { n: 'first' });
    q.wake();
    await eventually(async () => ran.length === 1, 1000);
    // Woken before its transaction commits (another request's commit on PostgreSQL): the hint is
    // kept until the job is there.
    await harness.ctx.db.transaction().execute(async (trx) => {
      await q.enqueue(trx, 'hinted', { n: 'second' });
      q.wake();
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    q.wake();
    await eventually(async () => ran.length === 2, 1000);
    expect(ran).toEqual(['first', 'second']);
  });

  it('on stop, releases jobs still running after the grace period', async () => {
    const q = queue({ leaseMs: 10 * 60_000 });
    q.register({ name: 'stuck', maxAttempts: 3, handle: hang });
    await q.enqueue(harness.ctx.db, 'stuck', {});
    q.start();
    await eventually(async () => (await harness.ctx.db.selectFrom('jobs').select('locked_by').where('name', '=', 'stuck').executeTakeFirst())?.locked_by);
    const started = Date.now();
    await q.stop(100);
    expect(Date.now() - started).toBeLessThan(2000);
    const row = await harness.ctx.db.selectFrom('jobs').selectAll().where('name', '=', 'stuck').executeTakeFirstOrThrow();
    expect(row.locked_by).toBeNull();
    expect(row.locked_until).toBeNull();
  });
});
