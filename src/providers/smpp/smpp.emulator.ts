/**
 * A local SMSC for tests and the benchmark, built on the `smpp` package's server side: answers
 * binds (checking system_id/password), enquire_link and unbind; accepts submit_sm with hex message
 * ids and sends delivery receipts (TLVs or the `id:… stat:…` text, ids hex or decimal); can refuse
 * with any command_status, throttle, hold responses, accept without answering, drop the link, push
 * MO (single or concatenated, GSM-7 or UCS-2, UDH or SAR) and raw bytes (bad PDUs).
 */
import type { AddressInfo } from 'node:net';
import smpp, { type PDU } from 'smpp';
import { encodeText, splitText, DATA_CODING, type Gsm7Packing, type TextEncoding } from './smpp.codec.js';
import { rawMessage } from './smpp.raw.js';

export interface SmscOptions {
  systemId: string;
  password: string;
  /** More ESME logins this SMSC accepts (system_id → password). */
  logins?: Record<string, string>;
  /** Receipt for each accepted submit_sm after this delay; null sends none. */
  receiptDelayMs?: number | null;
  /** `tlv`: receipted_message_id + message_state; `text`: only the id:… stat:… short_message. */
  receiptStyle?: 'tlv' | 'text';
  /** How ids are written in receipts: as submit_sm_resp gave them (hex) or in decimal. */
  receiptIds?: 'hex' | 'decimal';
  /** Listen with TLS (PEM key and certificate) instead of plain TCP. */
  tls?: { key: string; cert: string } | null;
}

export interface Submitted {
  messageId: string;
  /** The ESME login that submitted it; its receipt goes back to that login. */
  systemId: string;
  source: string;
  sourceTon: number;
  destination: string;
  dataCoding: number;
  esmClass: number;
  /** short_message (or message_payload) as the package decoded it by data_coding. */
  text: string;
  /** UDH information elements, when the part had one. */
  udh: Buffer[] | null;
  /** short_message and message_payload octets exactly as received (UDH included). */
  shortMessage: Buffer;
  messagePayload: Buffer | null;
  at: number;
}

export interface MoInput {
  from: string;
  to: string;
  text: string;
  encoding?: TextEncoding;
  /** How parts are marked when the text needs several. */
  concatenation?: 'udh' | 'sar';
  reference?: number;
  /** Send the parts in this order (1-based), e.g. [2, 1]; a part left out is never sent. */
  order?: number[];
  /** GSM-7 octets unpacked (default) or packed; packed parts need UDH concatenation. */
  packing?: Gsm7Packing;
}

export class SmscEmulator {
  readonly server: smpp.Server;
  port = 0;
  readonly submits: Submitted[] = [];
  binds = 0;
  refusedBinds = 0;
  unbinds = 0;
  enquireLinks = 0;
  /** command_status values to answer the next submit_sm with, one each. */
  readonly refuseNext: number[] = [];
  /** While true, submit_sm gets no response (the window fills up); they are counted, not kept. */
  holdResponses = false;
  heldSubmits = 0;
  /** While true, submit_sm is accepted (kept in `submits`, given an id) but its response is never written and no receipt follows. */
  swallowResponses = false;
  /** Largest number of submit_sm seen without a response at once (the client's window). */
  maxOutstanding = 0;
  private outstanding = 0;
  /** Receipt state word for the next receipts (default DELIVRD). */
  receiptState = 'DELIVRD';
  private nextId = 0x5a000;
  private readonly options: Required<SmscOptions>;

  constructor(options: SmscOptions) {
    this.options = { receiptDelayMs: 5, receiptStyle: 'tlv', receiptIds: 'hex', logins: {}, tls: null, ...options };
    this.server = smpp.createServer(this.options.tls ? { ...this.options.tls } : {}, (session) => this.onSession(session));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const session of [...this.server.sessions]) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Sessions that completed a bind. */
  get bound(): smpp.Session[] {
    return this.server.sessions.filter((session) => bindOf(session) !== null);
  }

  /** Bind types of the bound sessions, e.g. ['transmitter', 'receiver']. */
  get bindTypes(): string[] {
    return this.bound.map((session) => bindOf(session)!);
  }

  /** Cuts every connection without an unbind (a dead link). */
  dropLinks(): void {
    for (const session of [...this.server.sessions]) session.destroy();
  }

  /** Writes raw bytes to every bound session (a corrupt PDU). */
  sendRaw(bytes: Buffer): void {
    for (const session of this.bound) session.socket.write(bytes);
  }

  /**
   * Sends one deliver_sm to a bind of `systemId` (default: the main login) that can receive;
   * resolves with the client's deliver_sm_resp command_status.
   */
  deliver(fields: Record<string, unknown>, systemId = this.options.systemId): Promise<number> {
    // A transmitter bind receives nothing from the SMSC.
    const session = this.bound.find((s) => bindOf(s) !== 'transmitter' && loginOf(s) === systemId);
    if (!session) return Promise.reject(new Error('no bound session to deliver to'));
    return new Promise((resolve) => session.send(new smpp.PDU('deliver_sm', fields), (response) => resolve(response.command_status)));
  }

  /** An MO message, in as many parts as its text needs; resolves with each part's deliver_sm_resp status. */
  async sendMo(input: MoInput): Promise<number[]> {
    const encoding = input.encoding ?? 'gsm7';
    const reference = input.reference ?? Math.floor(Math.random() * 256);
    if (input.packing === 'packed' && input.concatenation === 'sar') throw new Error('the emulator sends packed parts with a UDH only');
    const parts = splitText(input.text, encoding, reference, input.packing);
    const base = { source_addr_ton: 1, source_addr_npi: 1, source_addr: input.from.replace(/^\+/, ''), dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: input.to.replace(/^\+/, ''), data_coding: DATA_CODING[encoding] };
    const order = input.order ?? parts.map((_, index) => index + 1);
    const statuses: number[] = [];
    for (const sequence of order) {
      const part = parts[sequence - 1]!;
      if (parts.length === 1) statuses.push(await this.deliver({ ...base, esm_class: 0, short_message: part.shortMessage }));
      else if (input.concatenation === 'sar') {
        const payload = part.shortMessage.subarray(6);
        statuses.push(await this.deliver({ ...base, esm_class: 0, short_message: payload, sar_msg_ref_num: reference, sar_total_segments: parts.length, sar_segment_seqnum: sequence }));
      } else statuses.push(await this.deliver({ ...base, esm_class: 0x40, short_message: part.shortMessage }));
    }
    return statuses;
  }

  /** A delivery receipt for an id this SMSC gave out. */
  sendReceipt(messageId: string, state = this.receiptState, error = '000'): Promise<number> {
    const systemId = this.submits.find((s) => s.messageId === messageId)?.systemId;
    const id = this.options.receiptIds === 'decimal' ? BigInt(`0x${messageId}`).toString(10) : messageId;
    const text = `id:${id} sub:001 dlvrd:${state === 'DELIVRD' ? '001' : '000'} submit date:2612060100 done date:2612060101 stat:${state} err:${error} text:`;
    const stateNumber: Record<string, number> = { ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8 };
    const fields: Record<string, unknown> = { source_addr: '0', destination_addr: '0', esm_class: 0x04, data_coding: 0, short_message: encodeText(text, 'gsm7') };
    if (this.options.receiptStyle === 'tlv') Object.assign(fields, { receipted_message_id: id, message_state: stateNumber[state] ?? 7 });
    return this.deliver(fields, systemId);
  }

  private onSession(session: smpp.Session): void {
    // The last chunk read before a PDU event is that PDU's body (see smpp.link.ts).
    session.socket.on('data', (chunk: Buffer) => Object.assign(session, { lastBody: chunk }));
    const onBind = (pdu: PDU) => {
      const logins: Record<string, string> = { ...this.options.logins, [this.options.systemId]: this.options.password };
      const ok = Object.hasOwn(logins, pdu.system_id) && logins[pdu.system_id] === pdu.password;
      if (!ok) {
        this.refusedBinds += 1;
        session.send(pdu.response({ command_status: smpp.errors.ESME_RINVPASWD }));
        return;
      }
      this.binds += 1;
      Object.assign(session, { bindType: pdu.command.replace('bind_', ''), login: pdu.system_id });
      session.send(pdu.response({ system_id: 'emulator' }));
    };
    session.on('bind_transceiver', onBind);
    session.on('bind_transmitter', onBind);
    session.on('bind_receiver', onBind);
    session.on('enquire_link', (pdu: PDU) => {
      this.enquireLinks += 1;
      session.send(pdu.response());
    });
    session.on('unbind', (pdu: PDU) => {
      this.unbinds += 1;
      session.send(pdu.response(), () => session.close());
    });
    session.on('submit_sm', (pdu: PDU) => this.onSubmit(session, pdu));
    session.on('error', () => session.destroy());
  }

  private onSubmit(session: smpp.Session, pdu: PDU): void {
    this.outstanding += 1;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    if (this.holdResponses) {
      this.heldSubmits += 1;
      return;
    }
    this.outstanding -= 1;
    const refusal = this.refuseNext.shift();
    if (refusal !== undefined) {
      session.send(pdu.response({ command_status: refusal }));
      return;
    }
    const messageId = (this.nextId++).toString(16).toUpperCase();
    const field = (pdu.message_payload ?? pdu.short_message) as { message?: string | Buffer; udh?: Buffer[] } | undefined;
    const text = typeof field?.message === 'string' ? field.message : '';
    const raw = rawMessage((session as unknown as { lastBody: Buffer }).lastBody);
    this.submits.push({ messageId, systemId: loginOf(session) ?? '', source: pdu.source_addr, sourceTon: pdu.source_addr_ton, destination: pdu.destination_addr, dataCoding: pdu.data_coding, esmClass: pdu.esm_class, text, udh: field?.udh ?? null, ...raw, at: Date.now() });
    if (this.swallowResponses) return;
    session.send(pdu.response({ message_id: messageId }));
    if (this.options.receiptDelayMs !== null && pdu.registered_delivery & 0x01) {
      setTimeout(() => void this.sendReceipt(messageId).catch(() => undefined), this.options.receiptDelayMs);
    }
  }

  /** Forgets submits counted as outstanding (after a link drop nothing is outstanding). */
  resetOutstanding(): void {
    this.outstanding = 0;
  }
}

function bindOf(session: smpp.Session): string | null {
  return (session as unknown as { bindType?: string }).bindType ?? null;
}

function loginOf(session: smpp.Session): string | null {
  return (session as unknown as { login?: string }).login ?? null;
}

export async function startSmscEmulator(options: SmscOptions): Promise<SmscEmulator> {
  const emulator = new SmscEmulator(options);
  await emulator.listen();
  return emulator;
}
