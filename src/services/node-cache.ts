/**
 * A node-local cache of something read on every message but changed rarely (issue 11: the
 * tenant's event webhooks are read for every event). A change on this node drops the entry at
 * once; other nodes drop theirs when the event bus relays the change (PostgreSQL NOTIFY).
 * A load that raced with a change is answered but not kept, so no stale value outlives it.
 */
import type { EventBus } from './events.js';

/** A cache key made of two parts (e.g. account id and number); the first part holds no newline. */
export function pairKey(first: string, second: string): string {
  return `${first}\n${second}`;
}

export function splitPairKey(key: string): [string, string] {
  const split = key.indexOf('\n');
  return [key.slice(0, split), key.slice(split + 1)];
}

export class NodeCache<T> {
  private readonly entries = new Map<string, T>();
  private readonly loading = new Map<string, Promise<T>>();
  /** Bumped on every change of a key, so a load that started before it is not cached. */
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly name: string,
    private readonly bus: EventBus,
    private readonly load: (key: string) => Promise<T>,
    private readonly options: { maxEntries?: number; /** Which loaded values to keep (e.g. not misses keyed by request input). */ keep?: (value: T) => boolean } = {},
  ) {
    bus.onStale((stale) => {
      if (stale.cache === this.name) this.drop(stale.key);
    });
  }

  async get(key: string): Promise<T> {
    if (this.entries.has(key)) return this.entries.get(key)!;
    // Callers missing the same key at once share one load (and see its answers in one order).
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.loadAndKeep(key);
      this.loading.set(key, loading);
      const settled = () => {
        if (this.loading.get(key) === loading) this.loading.delete(key);
      };
      loading.then(settled, settled);
    }
    return loading;
  }

  private async loadAndKeep(key: string): Promise<T> {
    const generation = this.generations.get(key) ?? 0;
    const value = await this.load(key);
    if ((this.generations.get(key) ?? 0) === generation && (this.options.keep?.(value) ?? true)) {
      if (this.entries.size >= (this.options.maxEntries ?? 10_000)) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Call after the change has committed. */
  changed(key: string): void {
    this.drop(key);
    this.bus.announceStale({ cache: this.name, key });
  }

  private drop(key: string): void {
    this.entries.delete(key);
    this.loading.delete(key);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }
}
