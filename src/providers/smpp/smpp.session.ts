/**
 * The SMPP session of one account on the node that holds its lease: one transceiver bind, or a
 * transmitter + receiver pair. Sends become submit_sm parts on the transmitting link; every
 * deliver_sm goes to the inbound pipeline and is answered after the commit.
 */
import type { Logger } from 'pino';
import type { PDU } from 'smpp';
import type { AppContext } from '../../context.js';
import type { ProviderAccountTable } from '../../db/schema.js';
import { ProviderError, UnsupportedCapabilityError } from '../core/errors.js';
import type { OutboundMessage, SendResult, SessionState } from '../core/types.js';
import { chooseEncoding, DATA_CODING, encodeBody, splitText } from './smpp.codec.js';
import { canonicalId, type SmppConfig } from './smpp.config.js';
import { handleDeliverSm, sweepParts, type DeliverSource } from './smpp.inbound.js';
import { SmppLink, SubmitRefused, SubmitUnfinished, type BindType } from './smpp.link.js';
import { errorKind, statusName } from './smpp.status.js';

const PROVIDER = 'smpp';
/** How long a send waits for the bind and the SMSC's answers before giving the job back. */
export const SEND_DEADLINE_MS = 30_000;
const REGISTERED_DELIVERY_FINAL = 0x01;
const ESM_UDHI = 0x40;
const TON = { unknown: 0, international: 1, network: 3, alphanumeric: 5 };
const NPI = { unknown: 0, isdn: 1 };

export class SmppAccountSession {
  readonly links: SmppLink[];
  private reference = Math.floor(Math.random() * 256);
  private readonly recording = new Set<Promise<void>>();
  private readonly chains = new Map<string, Promise<number>>();
  private readonly source: DeliverSource;

  constructor(
    private readonly ctx: AppContext,
    readonly account: ProviderAccountTable,
    readonly config: SmppConfig,
    private readonly log: Logger,
    onState: (state: SessionState['state'], error: string | null) => void,
  ) {
    const binds: BindType[] = config.bindMode === 'transceiver' ? ['transceiver'] : ['transmitter', 'receiver'];
    this.source = { account, config, partsRecorded: async () => void (await Promise.all([...this.recording])) };
    const handlers = {
      onDeliver: (pdu: PDU) => handleDeliverSm(ctx, this.source, pdu, (key, work) => this.serial(key, work)),
      onState: () => {
        const { state, lastError } = this.state();
        onState(state, lastError);
      },
    };
    this.links = binds.map((bind) => new SmppLink(config, bind, handlers, log.child({ smppBind: bind }), ctx.net.isAllowed));
  }

  start(): void {
    for (const link of this.links) link.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.links.map((link) => link.stop()));
  }

  /** Bound when every link is; otherwise the worst link's state and error. */
  state(): { state: SessionState['state']; lastError: string | null } {
    const down = this.links.find((link) => link.state === 'disconnected') ?? this.links.find((link) => link.state === 'binding');
    if (!down) return { state: 'bound', lastError: null };
    return { state: down.state, lastError: down.lastError };
  }

  sweep(): Promise<void> {
    return sweepParts(this.ctx, this.source);
  }

  /** Concatenated MO parts of one message are handled one at a time (their completion check). */
  private serial(key: string, work: () => Promise<number>): Promise<number> {
    const previous = this.chains.get(key) ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(work);
    this.chains.set(key, next);
    void next.finally(() => this.chains.get(key) === next && this.chains.delete(key)).catch(() => undefined);
    return next;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.mediaUrls.length > 0) throw new UnsupportedCapabilityError(PROVIDER, 'MMS (SMPP carries text only)');
    if (message.to.length !== 1) throw new ProviderError(PROVIDER, 'unsupported', 'submit_sm has one recipient; SMPP cannot send group messages');
    const link = this.links.find((l) => l.canSubmit)!;
    const submits = this.submits(message);
    let recorded: () => void = () => undefined;
    const marker = submits.length > 1 ? new Promise<void>((resolve) => (recorded = resolve)) : null;
    if (marker) this.recording.add(marker);
    try {
      const results = await Promise.allSettled(submits.map((params) => link.submit(params, SEND_DEADLINE_MS)));
      const ids = results.map((r) => (r.status === 'fulfilled' ? canonicalId(r.value, 'submit', this.config.receiptIdFormat) : null));
      const accepted = ids.filter((id): id is string => id !== null);
      if (submits.length > 1 && accepted.length > 0) await this.recordPartsOrLog(message.id, ids);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw this.sendError(failure.reason, accepted.length, submits.length);
      return { providerMessageId: accepted[0]!, status: 'sent', raw: { parts: accepted } };
    } finally {
      recorded();
      if (marker) this.recording.delete(marker);
    }
  }

  private sendError(reason: unknown, accepted: number, total: number): Error {
    const partly = accepted > 0 ? ` (${accepted} of ${total} parts were accepted, so it is not sent again)` : '';
    if (reason instanceof SubmitRefused) {
      const kind = accepted > 0 ? 'rejected' : errorKind(reason.status);
      return new ProviderError(PROVIDER, kind, `${reason.message}${partly}`, { providerCode: statusName(reason.status), retryAfterMs: kind === 'unavailable' ? 2_000 : undefined });
    }
    if (reason instanceof SubmitUnfinished) {
      if (reason.written || accepted > 0) return new ProviderError(PROVIDER, 'outcome_unknown', `${reason.message}${partly}`);
      return new ProviderError(PROVIDER, 'unavailable', reason.message, { retryAfterMs: 1_000 });
    }
    return reason instanceof Error ? reason : new Error(String(reason));
  }

  /**
   * The SMSC has the parts: failing to record their ids must not fail the send (the job would send
   * it again). Retried briefly; then the parts' receipts cannot be matched and the message stays `sent`.
   */
  private async recordPartsOrLog(messageId: string, ids: Array<string | null>): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.recordParts(messageId, ids);
      } catch (error) {
        if (attempt >= 3) {
          this.log.error({ err: error, messageId, parts: ids }, 'SMPP part ids not recorded; their receipts will not be matched');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /** Every part's SMSC id, so that each part's receipt is matched (smpp.inbound.ts). */
  private async recordParts(messageId: string, ids: Array<string | null>): Promise<void> {
    const at = new Date().toISOString();
    const rows = ids.flatMap((id, index) =>
      id === null ? [] : [{ provider_account_id: this.account.id, provider_message_id: id, message_id: messageId, tenant_id: this.account.tenant_id, part_number: index + 1, part_count: ids.length, status: 'sent', error_code: null, updated_at: at }],
    );
    await this.ctx.db.insertInto('message_parts').values(rows).onConflict((oc) => oc.columns(['provider_account_id', 'provider_message_id']).doNothing()).execute();
  }

  private submits(message: OutboundMessage): Array<Record<string, unknown>> {
    const encoding = chooseEncoding(message.body, this.config.dataCoding);
    const source = sourceAddress(message.from, this.config);
    const base = {
      source_addr_ton: source.ton,
      source_addr_npi: source.npi,
      source_addr: source.address,
      dest_addr_ton: this.config.destTon,
      dest_addr_npi: this.config.destNpi,
      destination_addr: message.to[0]!.replace(/^\+/, ''),
      registered_delivery: REGISTERED_DELIVERY_FINAL,
      data_coding: DATA_CODING[encoding],
    };
    const parts = splitText(message.body, encoding, (this.reference + 1) % 256, this.config.gsm7Packing);
    // A text that needs parts goes whole in message_payload when the account says so; the SMSC splits it.
    if (parts.length > 1 && this.config.longMessages === 'message_payload') {
      return [{ ...base, esm_class: 0, short_message: Buffer.alloc(0), message_payload: encodeBody(message.body, encoding, this.config.gsm7Packing) }];
    }
    if (parts.length > 1) this.reference = (this.reference + 1) % 256;
    return parts.map((part) => ({ ...base, esm_class: part.hasUdh ? ESM_UDHI : 0, short_message: part.shortMessage }));
  }
}

/** E.164 → international digits; 3-8 digits → short code; letters → alphanumeric (TON 5). */
function sourceAddress(from: string, config: SmppConfig): { address: string; ton: number; npi: number } {
  let address = from;
  let ton = TON.alphanumeric;
  let npi = NPI.unknown;
  if (/^\+\d+$/.test(from)) [address, ton, npi] = [from.slice(1), TON.international, NPI.isdn];
  else if (/^\d{3,8}$/.test(from)) [ton, npi] = [TON.network, NPI.unknown];
  else if (/^\d+$/.test(from)) [ton, npi] = [TON.unknown, NPI.isdn];
  return { address, ton: config.sourceTon ?? ton, npi: config.sourceNpi ?? npi };
}
