/** A per-source budget for logging refused webhooks: a flood of forgeries costs a bounded number of rows. */
export class RefusalLogLimiter {
  private readonly counts = new Map<string, { windowStart: number; count: number }>();
  constructor(private readonly options: { perMinute: number; maxSources?: number }) {}

  allow(source: string, now = Date.now()): boolean {
    const entry = this.counts.get(source);
    if (!entry || now - entry.windowStart >= 60_000) {
      // Bounded memory: a spray from many addresses drops the oldest entries.
      if (!entry && this.counts.size >= (this.options.maxSources ?? 10_000)) this.counts.delete(this.counts.keys().next().value!);
      this.counts.set(source, { windowStart: now, count: 1 });
      return true;
    }
    entry.count += 1;
    return entry.count <= this.options.perMinute;
  }
}
