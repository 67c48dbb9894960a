/**
 * Jobs this node enqueued to run now, kept by type and tenant in arrival order, so the queue can
 * claim them by id (queue.ts claimHinted) instead of scanning the jobs table. Picking costs the
 * number of jobs picked, however many wait behind a full budget or a tenant's full share.
 */
interface Entry {
  name: string;
  tenant: string;
  /** When a claim by this id first found nothing claimable. */
  missingSince?: number;
}

export class JobHints {
  private readonly entries = new Map<number, Entry>();
  /** type → tenant → ids, oldest first. Ids no longer in `entries` are dropped when met. */
  private readonly queues = new Map<string, Map<string, number[]>>();

  constructor(
    private readonly maxEntries: number,
    /** How long an id whose job was not there is tried again (see queue.ts HINT_TTL_MS). */
    private readonly missingTtlMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  /** False when full: the table scan finds the job instead. */
  add(id: number, name: string, tenant: string): boolean {
    if (this.entries.size >= this.maxEntries) return false;
    this.entries.set(id, { name, tenant });
    this.queueOf(name, tenant).push(id);
    return true;
  }

  forget(id: number): void {
    this.entries.delete(id);
  }

  /**
   * Up to `limit` ids within each type's room and each tenant's room, taking one per tenant in
   * turn. Picked ids leave their queue; call `claimed` or `missed` with the outcome.
   */
  pick(limit: number, typeRoom: (name: string) => number, tenantRoom: (name: string, tenant: string) => number): number[] {
    const picked: number[] = [];
    for (const [name, tenants] of this.queues) {
      let room = typeRoom(name);
      const left = new Map<string, number>();
      let progressed = true;
      while (room > 0 && picked.length < limit && progressed) {
        progressed = false;
        for (const [tenant, ids] of tenants) {
          if (room <= 0 || picked.length >= limit) break;
          const tenantLeft = left.get(tenant) ?? (tenant === '' ? Infinity : tenantRoom(name, tenant));
          if (tenantLeft <= 0) continue;
          while (ids.length > 0 && !this.entries.has(ids[0]!)) ids.shift();
          const id = ids.shift();
          if (id === undefined) {
            tenants.delete(tenant);
            continue;
          }
          picked.push(id);
          left.set(tenant, tenantLeft - 1);
          room -= 1;
          progressed = true;
        }
      }
      if (tenants.size === 0) this.queues.delete(name);
      if (picked.length >= limit) break;
    }
    return picked;
  }

  claimed(ids: Iterable<number>): void {
    for (const id of ids) this.entries.delete(id);
  }

  /** Picked ids whose jobs were not claimable: back to the front of their queue until the TTL runs out. */
  missed(ids: number[], now: number): void {
    for (const id of [...ids].reverse()) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      entry.missingSince ??= now;
      if (now - entry.missingSince > this.missingTtlMs) this.entries.delete(id);
      else this.queueOf(entry.name, entry.tenant).unshift(id);
    }
  }

  private queueOf(name: string, tenant: string): number[] {
    let tenants = this.queues.get(name);
    if (!tenants) this.queues.set(name, (tenants = new Map()));
    let ids = tenants.get(tenant);
    if (!ids) tenants.set(tenant, (ids = []));
    return ids;
  }
}
