/**
 * One SMPP bind (TCP or TLS) around the `smpp` package's PDU codec: bind, enquire_link keep-alive
 * and dead-link detection, reconnect with exponential backoff and jitter, the submit window and
 * throughput enforced where submits are written, answers to the SMSC's own requests, clean unbind.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import smpp, { type PDU } from 'smpp';
import type { SmppConfig } from './smpp.config.js';
import { isThrottle, statusName } from './smpp.status.js';

export type LinkState = 'binding' | 'bound' | 'disconnected';
export type BindType = 'transceiver' | 'transmitter' | 'receiver';

export interface LinkHandlers {
  /** Stores a deliver_sm; resolves to the deliver_sm_resp command_status (sent only then). */
  onDeliver(pdu: PDU): Promise<number>;
  onState(state: LinkState, error: string | null): void;
}

/** The SMSC answered a submit_sm with a non-zero command_status. */
export class SubmitRefused extends Error {
  constructor(readonly status: number) {
    super(`the SMSC refused submit_sm with ${statusName(status)} (0x${status.toString(16).padStart(8, '0')})`);
    this.name = 'SubmitRefused';
  }
}

/** A submit could not complete; `written` tells whether the SMSC may have it. */
export class SubmitUnfinished extends Error {
  constructor(
    readonly written: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'SubmitUnfinished';
  }
}

interface Submit {
  params: Record<string, unknown>;
  resolve(messageId: string): void;
  reject(error: Error): void;
  /** Written to a socket at least once: the SMSC may have it. */
  written: boolean;
  /** Times the link died before this submit's response came. */
  drops: number;
  throttles: number;
  done: boolean;
}

/** Resends after a dropped link, per submit: the bound on duplicates (see README). */
export const MAX_RESENDS_AFTER_DROP = 2;
const MAX_THROTTLE_RETRIES = 10;
const MAX_BACKOFF_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;
const UNBIND_WAIT_MS = 2_000;

export class SmppLink {
  state: LinkState = 'disconnected';
  lastError: string | null = null;
  /** Bind attempts since the last successful bind (backoff exponent). */
  private failures = 0;
  private session: smpp.Session | null = null;
  private readonly queue: Submit[] = [];
  private readonly inflight = new Map<number, Submit>();
  private nextSendAt = 0;
  private pausedUntil = 0;
  private pumpTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Binds attempted over the link's life (tests and diagnostics). */
  bindAttempts = 0;

  constructor(
    private readonly config: SmppConfig,
    readonly bindType: BindType,
    private readonly handlers: LinkHandlers,
    private readonly log: Logger,
    /** The private-address guard (lib/net-guard.ts): an SMSC address must pass it like any URL. */
    private readonly isAllowed: (address: string) => boolean,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  get canSubmit(): boolean {
    return this.bindType !== 'receiver';
  }

  /** Queues one submit_sm; resolves with the SMSC's message_id. */
  submit(params: Record<string, unknown>, deadlineMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const entry: Submit = { params, resolve, reject, written: false, drops: 0, throttles: 0, done: false };
      const timer = setTimeout(() => {
        if (entry.done) return;
        this.forget(entry);
        settle(entry, () => reject(new SubmitUnfinished(entry.written, entry.written ? 'no submit_sm_resp before the deadline' : 'the SMPP session was not bound before the deadline')));
      }, deadlineMs);
      timer.unref?.();
      entry.resolve = (id) => settle(entry, () => (clearTimeout(timer), resolve(id)));
      entry.reject = (error) => settle(entry, () => (clearTimeout(timer), reject(error)));
      this.queue.push(entry);
      this.pump();
    });
  }

  private forget(entry: Submit): void {
    const index = this.queue.indexOf(entry);
    if (index >= 0) this.queue.splice(index, 1);
    for (const [sequence, value] of this.inflight) if (value === entry) this.inflight.delete(sequence);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    const session = this.session;
    if (session && this.state === 'bound') {
      // Let answered-soon submits finish, then say goodbye.
      const until = Date.now() + UNBIND_WAIT_MS;
      while (this.inflight.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, UNBIND_WAIT_MS);
        const sent = session.send(new smpp.PDU('unbind', {}), () => (clearTimeout(timer), resolve()));
        if (!sent) (clearTimeout(timer), resolve());
      });
    }
    this.session = null;
    session?.destroy();
    for (const entry of [...this.queue, ...this.inflight.values()]) {
      entry.reject(new SubmitUnfinished(entry.written, entry.written ? 'the session was closed before the SMSC answered' : 'the session was closed before the message was sent'));
    }
    this.queue.length = 0;
    this.inflight.clear();
    this.setState('disconnected', 'unbound');
  }

  /** Drops the connection without an unbind and never reconnects: what a crashed node leaves. */
  kill(): void {
    this.stopped = true;
    this.clearTimers();
    const session = this.session;
    this.session = null;
    session?.destroy();
  }

  private connect(): void {
    if (this.stopped) return;
    this.bindAttempts += 1;
    this.setState('binding', this.lastError);
    const host = this.config.host.replace(/^\[|\]$/g, '');
    if (isIP(host) && !this.isAllowed(host)) {
      this.lastError = `${host} is a private or loopback address; the operator must allow it with ALLOW_PRIVATE_URLS`;
      this.setState('disconnected', this.lastError);
      return;
    }
    // Names are checked at connect time, on the addresses the connection will use.
    const lookup = (hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) =>
      dnsLookup(hostname, { all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error);
        const allowed = addresses.filter((entry) => this.isAllowed(entry.address));
        if (allowed.length === 0) return callback(new Error(`${hostname} resolves to a private or loopback address (${addresses[0]?.address ?? 'none'}); the operator must allow it with ALLOW_PRIVATE_URLS`));
        if (lookupOptions.all) return callback(null, allowed);
        return callback(null, allowed[0]!.address, allowed[0]!.family);
      });
    const options: Record<string, unknown> = { host, port: this.config.port, lookup };
    if (this.config.tls) {
      options.tls = true;
      if (this.config.tlsCa) options.ca = this.config.tlsCa;
      // An IP address is no TLS server name (RFC 6066); the certificate is then checked against the IP.
      const servername = this.config.tlsServername ?? (isIP(host) ? null : host);
      if (servername) options.servername = servername;
    }
    const session = new smpp.Session(options);
    this.session = session;
    const connectTimer = setTimeout(() => this.fail(session, 'no bind answer within 10 s'), CONNECT_TIMEOUT_MS);
    session.on(this.config.tls ? 'secureConnect' : 'connect', () => {
      const bind = new smpp.PDU(`bind_${this.bindType}`, { system_id: this.config.systemId, password: this.config.password, system_type: this.config.systemType, interface_version: 0x34 });
      session.send(bind, (response) => {
        clearTimeout(connectTimer);
        if (session !== this.session) return;
        if (response.command_status !== 0) return this.fail(session, `bind refused: ${statusName(response.command_status)} (check system_id and password)`);
        this.failures = 0;
        this.setState('bound', null);
        this.startKeepAlive(session);
        this.pump();
      });
    });
    // With the package's 'readable' listener in place, 'data' reports each chunk it reads: the
    // last one before a 'pdu' event is that PDU's body, kept for packed GSM-7 (smpp.raw.ts).
    let lastBody: Buffer | null = null;
    session.socket.on('data', (chunk: Buffer) => (lastBody = chunk));
    session.on('pdu', (pdu: PDU) => {
      if (pdu.command === 'deliver_sm' && lastBody?.length === pdu.command_length - 4) Object.defineProperty(pdu, 'rawBody', { value: lastBody });
      try {
        this.onPdu(session, pdu);
      } catch (error) {
        this.log.warn({ err: error, command: pdu?.command }, 'SMPP PDU could not be handled');
      }
    });
    session.on('error', (error: Error) => (clearTimeout(connectTimer), this.fail(session, error.message)));
    session.on('close', () => (clearTimeout(connectTimer), this.fail(session, 'connection closed')));
  }

  private onPdu(session: smpp.Session, pdu: PDU): void {
    if (session !== this.session) return;
    this.heard = true;
    if (pdu.isResponse()) {
      if (pdu.command === 'submit_sm_resp' || pdu.command === 'generic_nack') this.onSubmitResponse(pdu);
      return;
    }
    switch (pdu.command) {
      case 'enquire_link':
        session.send(pdu.response());
        return;
      case 'unbind':
        session.send(pdu.response());
        this.fail(session, 'the SMSC unbound');
        return;
      case 'deliver_sm':
        this.handlers
          .onDeliver(pdu)
          .catch((error: unknown) => {
            this.log.error({ err: error }, 'deliver_sm could not be stored; answering a temporary error so the SMSC redelivers');
            return smpp.errors.ESME_RX_T_APPN!;
          })
          .then((status) => {
            // Answered on the link it came by; if that link died the SMSC redelivers it.
            if (session === this.session) session.send(pdu.response({ command_status: status }));
          });
        return;
      case 'unknown':
        session.send(pdu.response());
        return;
      default:
        session.send(pdu.response({ command_status: smpp.errors.ESME_RINVCMDID }));
    }
  }

  private onSubmitResponse(pdu: PDU): void {
    const entry = this.inflight.get(pdu.sequence_number);
    if (!entry) return;
    this.inflight.delete(pdu.sequence_number);
    const status = pdu.command_status;
    if (status === 0 && typeof pdu.message_id === 'string' && pdu.message_id !== '') {
      entry.resolve(pdu.message_id);
    } else if (status === 0) {
      entry.reject(new SubmitUnfinished(true, 'submit_sm_resp carried no message_id'));
    } else if (isThrottle(status) && entry.throttles < MAX_THROTTLE_RETRIES) {
      // The SMSC asks us to slow down: hold the whole link back, then resend this one first.
      entry.throttles += 1;
      const delay = Math.min(5_000, 100 * 2 ** (entry.throttles - 1)) * (0.75 + Math.random() * 0.5);
      this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
      this.queue.unshift(entry);
    } else {
      entry.reject(new SubmitRefused(status));
    }
    this.pump();
  }

  /** Writes queued submits while the window has room and the throughput allows; else waits for either. */
  private pump(): void {
    if (this.pumpTimer) {
      clearTimeout(this.pumpTimer);
      this.pumpTimer = null;
    }
    const session = this.session;
    if (!session || this.state !== 'bound' || !this.canSubmit) return;
    while (this.queue.length > 0 && this.inflight.size < this.config.windowSize) {
      const now = Date.now();
      const due = Math.max(this.nextSendAt, this.pausedUntil);
      if (now < due) {
        this.pumpTimer = setTimeout(() => this.pump(), Math.max(1, Math.ceil(due - now)));
        return;
      }
      const entry = this.queue.shift()!;
      const pdu = new smpp.PDU('submit_sm', entry.params);
      if (!session.send(pdu)) {
        this.queue.unshift(entry);
        return;
      }
      entry.written = true;
      this.inflight.set(pdu.sequence_number, entry);
      this.nextSendAt = Math.max(now, this.nextSendAt) + 1000 / this.config.throughput;
    }
  }

  private heard = false;

  /** enquire_link every interval; a link that answered nothing since the last one is dead. */
  private startKeepAlive(session: smpp.Session): void {
    this.heard = true;
    this.keepAlive = setInterval(() => {
      if (session !== this.session) return;
      if (!this.heard) return this.fail(session, `no answer to enquire_link within ${this.config.enquireLinkMs / 1000} s`);
      this.heard = false;
      session.send(new smpp.PDU('enquire_link', {}));
    }, this.config.enquireLinkMs);
  }

  private fail(session: smpp.Session, reason: string): void {
    if (session !== this.session) return;
    this.session = null;
    this.clearTimers();
    session.destroy();
    // Submits without a response go back to the front, in order, to be resent after the rebind.
    const unanswered = [...this.inflight.values()];
    this.inflight.clear();
    for (const entry of unanswered.reverse()) {
      entry.drops += 1;
      if (entry.drops > MAX_RESENDS_AFTER_DROP) entry.reject(new SubmitUnfinished(true, `the link dropped ${entry.drops} times before the SMSC answered; not resent again`));
      else this.queue.unshift(entry);
    }
    if (this.stopped) return;
    this.failures += 1;
    this.setState('disconnected', reason);
    this.log.warn({ host: this.config.host, bind: this.bindType, reason }, 'SMPP link down; reconnecting');
    const base = Math.min(MAX_BACKOFF_MS, this.config.reconnectMs * 2 ** Math.min(this.failures - 1, 16));
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private clearTimers(): void {
    for (const timer of [this.pumpTimer, this.reconnectTimer]) if (timer) clearTimeout(timer);
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.pumpTimer = this.reconnectTimer = this.keepAlive = null;
  }

  private setState(state: LinkState, error: string | null): void {
    if (this.state === state && this.lastError === error) return;
    this.state = state;
    this.lastError = error;
    this.handlers.onState(state, error);
  }
}

function settle(entry: Submit, action: () => void): void {
  if (entry.done) return;
  entry.done = true;
  action();
}
