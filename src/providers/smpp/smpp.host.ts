/**
 * This node's SMPP sessions (SessionHost): every scan it takes or renews the lease of each SMPP
 * account, binds the accounts it holds (and rebinds an account whose settings changed), unbinds
 * those it lost or that were deleted, and sweeps MO parts that waited too long. Sends reach the
 * session only on the node holding the bind; elsewhere they are handed back to the queue to be
 * retried, which another claim (the holder's, sooner or later) completes.
 */
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.js';
import type { ProviderAccountTable } from '../../db/schema.js';
import { ProviderError } from '../core/errors.js';
import type { OutboundMessage, SendResult, SessionHost, SessionState } from '../core/types.js';
import { smppConfig } from './smpp.config.js';
import { readState, recordState, releaseLease, takeLease } from './smpp.lease.js';
import { SmppAccountSession } from './smpp.session.js';

export interface SmppHostTiming {
  /** How often leases are renewed and accounts re-read. */
  scanMs: number;
  /** Lease lifetime: a dead node's binds are taken over after at most this long plus one scan. */
  leaseMs: number;
  /** How long a send on a node without the bind waits before the queue retries it elsewhere. */
  notHolderRetryMs: number;
}

export const DEFAULT_TIMING: SmppHostTiming = { scanMs: 1_000, leaseMs: 5_000, notHolderRetryMs: 500 };
const SWEEP_EVERY_SCANS = 10;

interface Held {
  updatedAt: string;
  session: SmppAccountSession | null;
  /** Settings that cannot be used; shown as the account's error until they change. */
  configError: string | null;
}

export class SmppHost implements SessionHost {
  readonly node = `node_${randomBytes(6).toString('hex')}`;
  timing: SmppHostTiming = { ...DEFAULT_TIMING };
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private scans = 0;

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.scan(), this.timing.scanMs);
    void this.scan();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.scanning;
    await Promise.all([...this.held.keys()].map((id) => this.drop(id, 'this node shut down')));
  }

  /**
   * Stops as a crashed node would: no unbind, no lease release, sockets cut. The leases expire
   * and other nodes take the binds over (failover tests).
   */
  halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const held of this.held.values()) for (const link of held.session?.links ?? []) link.kill();
    this.held.clear();
  }

  /** The session of an account, when this node holds its bind (tests, diagnostics). */
  session(accountId: string): SmppAccountSession | null {
    return this.held.get(accountId)?.session ?? null;
  }

  async send(accountId: string, message: OutboundMessage): Promise<SendResult> {
    const held = this.held.get(accountId);
    if (held?.configError) throw new ProviderError('smpp', 'rejected', `the SMPP account settings are not usable: ${held.configError}`);
    if (!held?.session) {
      throw new ProviderError('smpp', 'unavailable', `node ${this.node} does not hold the SMPP bind of ${accountId}; the queue retries until the node holding it takes the send`, { retryAfterMs: this.timing.notHolderRetryMs });
    }
    return held.session.send(message);
  }

  state(accountId: string): Promise<SessionState | null> {
    return readState(this.ctx.db, accountId);
  }

  /** One pass; overlapping timer ticks are skipped. */
  scan(): Promise<void> {
    this.scanning ??= this.scanOnce()
      .catch((error: unknown) => this.ctx.log.error({ err: error }, 'SMPP scan failed'))
      .finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    this.scans += 1;
    const accounts = await this.ctx.db.selectFrom('provider_accounts').selectAll().where('type', '=', 'smpp').execute();
    const present = new Set(accounts.map((a) => a.id));
    for (const id of this.held.keys()) if (!present.has(id)) await this.drop(id, 'the account was deleted');
    for (const account of accounts) {
      if (!this.timer) return;
      const mine = await takeLease(this.ctx.db, account.id, this.node, this.timing);
      // Stopped (or halted) while the lease was being taken: bind nothing more.
      if (!this.timer) return;
      const held = this.held.get(account.id);
      if (!mine) {
        if (held) await this.drop(account.id, 'another node took the bind over', false);
        continue;
      }
      if (held && held.updatedAt !== account.updated_at) await this.drop(account.id, 'the account settings changed', false);
      if (!this.held.has(account.id)) this.bind(account);
      else if (this.scans % SWEEP_EVERY_SCANS === 0) await this.held.get(account.id)!.session?.sweep();
    }
  }

  private bind(account: ProviderAccountTable): void {
    const held: Held = { updatedAt: account.updated_at, session: null, configError: null };
    this.held.set(account.id, held);
    const log = this.ctx.log.child({ provider: 'smpp', accountId: account.id });
    try {
      const config = smppConfig(this.ctx.accounts.credentials(account));
      held.session = new SmppAccountSession(this.ctx, account, config, log, (state, error) => {
        void recordState(this.ctx.db, account.id, this.node, state, error).catch((err: unknown) => log.warn({ err }, 'SMPP state not recorded'));
      });
      held.session.start();
    } catch (error) {
      held.configError = (error as Error).message;
      void recordState(this.ctx.db, account.id, this.node, 'disconnected', held.configError);
    }
  }

  /** Unbinds (cleanly) and forgets an account's session; releases the lease unless another node has it. */
  private async drop(accountId: string, reason: string, release = true): Promise<void> {
    const held = this.held.get(accountId);
    if (!held) return;
    this.held.delete(accountId);
    this.ctx.log.info({ provider: 'smpp', accountId, reason }, 'SMPP session closing');
    await held.session?.stop();
    if (release) await releaseLease(this.ctx.db, accountId, this.node, { lastError: reason }).catch(() => undefined);
  }
}
