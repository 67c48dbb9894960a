/**
 * Real-time events for SSE subscribers. In one process an EventEmitter is enough; on
 * PostgreSQL every node LISTENs on one channel so an event raised on any node reaches browsers
 * connected to any other (F32).
 */
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';

export interface AppEvent {
  type: 'message.received' | 'message.status' | 'conversation.updated' | 'message.created' | (string & {});
  tenantId: string;
  /** Users allowed to see it; absent means every user of the tenant. */
  userIds?: string[];
  /** Number the event is about, for per-number access filtering. */
  numberId?: string | null;
  data: unknown;
}

const CHANNEL = 'switchboard_events';

/** Which node-local cache entry changed on another node. */
export interface Staleness {
  cache: string;
  key: string;
}

export class EventBus {
  private readonly emitter = new EventEmitter();
  private listener: pg.PoolClient | null = null;
  private readonly origin = Math.random().toString(36).slice(2);
  /** Durable consumers (event webhooks, workflow triggers), run once on the publishing node. */
  private readonly sinks: Array<(event: AppEvent) => Promise<void>> = [];
  /** Sink work still running, awaited by stop() so a graceful shutdown loses no event. */
  private readonly sinking = new Set<Promise<void>>();

  constructor(private readonly log: Logger, private readonly pool?: pg.Pool) {
    this.emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    if (!this.pool) return;
    this.listener = await this.pool.connect();
    this.listener.on('notification', (message) => {
      if (!message.payload) return;
      try {
        const { origin, event, stale } = JSON.parse(message.payload) as { origin: string; event?: AppEvent; stale?: Staleness };
        if (origin === this.origin) return;
        if (stale) this.emitter.emit('stale', stale);
        else if (event) this.emitter.emit('event', event);
      } catch (error) {
        this.log.warn({ err: error }, 'ignored a malformed event notification');
      }
    });
    await this.listener.query(`LISTEN ${CHANNEL}`);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.sinking]);
    if (this.listener) {
      await this.listener.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
      this.listener.release();
      this.listener = null;
    }
  }

  /** Adds a consumer that must see each event once (not once per node); it handles its own errors. */
  addSink(sink: (event: AppEvent) => Promise<void>): void {
    this.sinks.push(sink);
  }

  /**
   * Raises an event to live subscribers (every node's SSE streams) and to the durable sinks.
   * `only` splits the two when they are raised at different moments: an inbound text reaches the
   * browsers at commit, its sinks from the durable job that runs again after a crash.
   */
  publish(event: AppEvent, only?: 'live' | 'sinks'): void {
    if (only !== 'sinks') this.publishLive(event);
    if (only === 'live') return;
    for (const sink of this.sinks) {
      const work = sink(event).catch((error) => this.log.error({ err: error, eventType: event.type }, 'event sink failed'));
      this.sinking.add(work);
      void work.finally(() => this.sinking.delete(work));
    }
  }

  private publishLive(event: AppEvent): void {
    this.emitter.emit('event', event);
    if (this.pool) {
      const payload = JSON.stringify({ origin: this.origin, event });
      // NOTIFY payloads are limited to 8000 bytes; large events are cut to their ids.
      const safe = payload.length < 7900 ? payload : JSON.stringify({ origin: this.origin, event: { ...event, data: { id: (event.data as { id?: string })?.id, truncated: true } } });
      this.pool.query('select pg_notify($1, $2)', [CHANNEL, safe]).catch((error) => this.log.warn({ err: error }, 'event fan-out failed'));
    }
  }

  /**
   * Tells the other nodes that what a node-local cache holds for this key changed (a no-op with
   * one process). Never reaches browsers or sinks.
   */
  announceStale(stale: Staleness): void {
    if (!this.pool) return;
    this.pool.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify({ origin: this.origin, stale })]).catch((error) => this.log.warn({ err: error }, 'cache invalidation fan-out failed'));
  }

  /** Calls `handler` when another node announced that a cached value changed. */
  onStale(handler: (stale: Staleness) => void): () => void {
    this.emitter.on('stale', handler);
    return () => this.emitter.off('stale', handler);
  }

  subscribe(handler: (event: AppEvent) => void): () => void {
    this.emitter.on('event', handler);
    return () => this.emitter.off('event', handler);
  }
}
