/**
 * This node's SMPP sessions (SessionHost): every scan it takes or renews the lease of each SMPP
 * account, binds the accounts it holds (and rebinds an account whose settings changed), unbinds
 * those it lost or that were deleted, and sweeps MO parts that waited too long. A send taken by a
 * node without the bind is written to the outbox (smpp_outbox); the node holding the bind claims
 * it, submits it and writes the result back, which the waiting node returns to its send job.
 */
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../context.js';
import type { ProviderAccountTable } from '../../db/schema.js';
import { ProviderError, type ProviderErrorKind } from '../core/errors.js';
import type { OutboundMessage, SendResult, SessionHost, SessionState } from '../core/types.js';
import { smppConfig } from './smpp.config.js';
import { readState, recordState, releaseLease, takeLease } from './smpp.lease.js';
import { SEND_DEADLINE_MS, SmppAccountSession } from './smpp.session.js';

export interface SmppHostTiming {
  /** How often leases are renewed and accounts re-read. */
  scanMs: number;
  /** Lease lifetime: a dead node's binds are taken over after at most this long plus one scan. */
  leaseMs: number;
  /** How often the holder looks for forwarded sends, and the sender for their results. */
  outboxPollMs: number;
}

export const DEFAULT_TIMING: SmppHostTiming = { scanMs: 1_000, leaseMs: 5_000, outboxPollMs: 25 };
const OUTBOX_BATCH = 50;
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
  private outboxTimer: NodeJS.Timeout | null = null;
  private claiming = false;
  private scanning: Promise<void> | null = null;
  private scans = 0;

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.scan(), this.timing.scanMs);
    this.outboxTimer = setInterval(() => void this.claimForwarded(), this.timing.outboxPollMs);
    void this.scan();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.outboxTimer) clearInterval(this.outboxTimer);
    this.timer = this.outboxTimer = null;
    await this.scanning;
    await Promise.all([...this.held.keys()].map((id) => this.drop(id, 'this node shut down')));
    await Promise.all(this.dropping.values());
  }

  /**
   * Stops as a crashed node would: no unbind, no lease release, sockets cut. The leases expire
   * and other nodes take the binds over (failover tests).
   */
  halt(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.outboxTimer) clearInterval(this.outboxTimer);
    this.timer = this.outboxTimer = null;
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
    if (!held?.session) return this.forward(accountId, message);
    return held.session.send(message);
  }

  /** Hands the send to the node holding the bind and waits for its result. */
  private async forward(accountId: string, message: OutboundMessage): Promise<SendResult> {
    const id = `out_${randomBytes(12).toString('hex')}`;
    await this.ctx.db.insertInto('smpp_outbox').values({ id, provider_account_id: accountId, message: JSON.stringify(message), claimed_by: null, result: null, created_at: new Date().toISOString() }).execute();
    const deadline = Date.now() + SEND_DEADLINE_MS + 5_000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.timing.outboxPollMs));
      const row = await this.ctx.db.selectFrom('smpp_outbox').select(['result']).where('id', '=', id).executeTakeFirst();
      if (!row?.result) continue;
      await this.ctx.db.deleteFrom('smpp_outbox').where('id', '=', id).execute();
      const result = JSON.parse(row.result) as { ok?: SendResult; error?: { kind: ProviderErrorKind; message: string; code?: string; retryAfterMs?: number } };
      if (result.ok) return result.ok;
      const error = result.error!;
      throw new ProviderError('smpp', error.kind, error.message, { providerCode: error.code, retryAfterMs: error.retryAfterMs });
    }
    // Nobody took it: safe to retry later. Taken but unanswered: the SMSC may have it.
    const withdrawn = await this.ctx.db.deleteFrom('smpp_outbox').where('id', '=', id).where('claimed_by', 'is', null).executeTakeFirst();
    if (Number(withdrawn.numDeletedRows) === 1) throw new ProviderError('smpp', 'unavailable', `no node took the send for SMPP account ${accountId} (no bind)`, { retryAfterMs: 5_000 });
    throw new ProviderError('smpp', 'outcome_unknown', `the node holding the SMPP bind of ${accountId} took the send but did not answer`);
  }

  /** On the holder: sends other nodes handed over for the accounts whose binds are here. */
  private async claimForwarded(): Promise<void> {
    const accounts = [...this.held.entries()].filter(([, held]) => held.session).map(([id]) => id);
    if (this.claiming || accounts.length === 0) return;
    this.claiming = true;
    try {
      const waiting = this.ctx.db.selectFrom('smpp_outbox').select('id').where('claimed_by', 'is', null).where('provider_account_id', 'in', accounts).limit(OUTBOX_BATCH);
      const claimed = await this.ctx.db.updateTable('smpp_outbox').set({ claimed_by: this.node }).where('id', 'in', waiting).where('claimed_by', 'is', null).returning(['id', 'provider_account_id', 'message']).execute();
      for (const row of claimed) {
        const session = this.held.get(row.provider_account_id)?.session;
        const answer = session ? session.send(JSON.parse(row.message) as OutboundMessage) : Promise.reject(new ProviderError('smpp', 'unavailable', 'the bind moved while the send was handed over', { retryAfterMs: 1_000 }));
        void answer
          .then((ok) => ({ ok }), (error: unknown) => ({ error: forwardedError(error) }))
          .then((result) => this.ctx.db.updateTable('smpp_outbox').set({ result: JSON.stringify(result) }).where('id', '=', row.id).execute())
          .catch((error: unknown) => this.ctx.log.error({ err: error, outboxId: row.id }, 'SMPP forwarded send result not recorded'));
      }
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'SMPP outbox not read');
    } finally {
      this.claiming = false;
    }
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
    // Unbinding waits for the SMSC; it runs beside the scan so lease renewals are never late.
    for (const id of this.held.keys()) if (!present.has(id)) this.dropLater(id, 'the account was deleted');
    for (const account of accounts) {
      if (!this.timer) return;
      const mine = await takeLease(this.ctx.db, account.id, this.node, this.timing);
      // Stopped (or halted) while the lease was being taken: bind nothing more.
      if (!this.timer) return;
      const held = this.held.get(account.id);
      if (!mine) {
        if (held) this.dropLater(account.id, 'another node took the bind over', false);
        continue;
      }
      if (held && held.updatedAt !== account.updated_at) this.dropLater(account.id, 'the account settings changed', false);
      // A new bind waits until the old one has unbound (SMSCs often allow one bind per login).
      if (!this.held.has(account.id) && !this.dropping.has(account.id)) this.bind(account);
      else if (this.scans % SWEEP_EVERY_SCANS === 0) this.sweepLater(account.id);
    }
  }

  private readonly dropping = new Map<string, Promise<void>>();
  private sweeping = false;

  private dropLater(accountId: string, reason: string, release = true): void {
    if (this.dropping.has(accountId)) return;
    const done = this.drop(accountId, reason, release)
      .catch((error: unknown) => this.ctx.log.warn({ err: error, accountId }, 'SMPP session did not close cleanly'))
      .finally(() => this.dropping.delete(accountId));
    this.dropping.set(accountId, done);
  }

  private sweepLater(accountId: string): void {
    const session = this.held.get(accountId)?.session;
    if (!session || this.sweeping) return;
    this.sweeping = true;
    void session
      .sweep()
      .catch((error: unknown) => this.ctx.log.warn({ err: error, accountId }, 'SMPP MO parts sweep failed'))
      .finally(() => (this.sweeping = false));
  }

  private bind(account: ProviderAccountTable): void {
    const held: Held = { updatedAt: account.updated_at, session: null, configError: null };
    this.held.set(account.id, held);
    const log = this.ctx.log.child({ provider: 'smpp', accountId: account.id });
    // State writes in order, and only from the account's current session (not one being replaced).
    let writes = Promise.resolve();
    const record = (state: SessionState['state'], error: string | null) => {
      if (this.held.get(account.id) !== held) return;
      writes = writes.then(() => recordState(this.ctx.db, account.id, this.node, state, error)).catch((err: unknown) => log.warn({ err }, 'SMPP state not recorded'));
    };
    try {
      const config = smppConfig(this.ctx.accounts.credentials(account));
      held.session = new SmppAccountSession(this.ctx, account, config, log, record);
      held.session.start();
    } catch (error) {
      held.configError = (error as Error).message;
      record('disconnected', held.configError);
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

function forwardedError(error: unknown): { kind: ProviderErrorKind; message: string; code?: string; retryAfterMs?: number } {
  if (error instanceof ProviderError) return { kind: error.kind, message: error.message, code: error.details.providerCode, retryAfterMs: error.details.retryAfterMs };
  // Not a carrier answer: the submit may have been written, so it is not sent again blindly.
  return { kind: 'outcome_unknown', message: (error as Error)?.message ?? String(error) };
}
