/**
 * Group commit. Write transactions submitted while another is being written run together in the
 * next single transaction, so a burst of webhooks or API sends costs one commit instead of one
 * each. Every caller still gets its answer only after its own writes are committed. When a batch
 * fails, its works are retried one transaction each, so one bad item never sinks its neighbours
 * (works must therefore be safe to run again: ours are idempotent inserts and forward-only updates).
 */
import type { Transaction } from 'kysely';
import type { Db } from './client.js';
import type { Database } from './schema.js';

type Work<T> = (trx: Transaction<Database>) => Promise<T>;

interface Pending {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class WriteBatcher {
  private readonly pending: Pending[] = [];
  private flushing = false;

  constructor(private readonly db: Db, private readonly maxBatch = 256) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      if (batch.length === 1) {
        await this.runAlone(batch[0]!);
        continue;
      }
      let results: unknown[];
      try {
        results = await this.db.transaction().execute(async (trx) => {
          const out: unknown[] = [];
          for (const item of batch) out.push(await item.work(trx));
          return out;
        });
      } catch {
        for (const item of batch) await this.runAlone(item);
        continue;
      }
      batch.forEach((item, index) => item.resolve(results[index]));
    }
    this.flushing = false;
  }

  private async runAlone(item: Pending): Promise<void> {
    try {
      item.resolve(await this.db.transaction().execute(item.work));
    } catch (error) {
      item.reject(error);
    }
  }
}
