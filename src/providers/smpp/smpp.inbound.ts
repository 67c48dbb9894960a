/**
 * What an SMPP deliver_sm becomes, through the same pipeline as a webhook (storeInbound): receipts
 * (per part for multi-part sends), MO messages (concatenated parts kept in the database until the
 * last arrives, or stored with the gap marked after the timeout). Resolves to the deliver_sm_resp
 * command_status, which the link sends only now — after the commit.
 */
import { createHash } from 'node:crypto';
import smpp, { type PDU } from 'smpp';
import type { AppContext } from '../../context.js';
import type { ProviderAccountTable } from '../../db/schema.js';
import { storeInbound, type InboundDelivery } from '../../services/ingest-inbound.js';
import type { StatusUpdate } from '../core/types.js';
import { canonicalId, type SmppConfig } from './smpp.config.js';
import { MalformedPdu, readDeliverSm, type MoPart, type Receipt } from './smpp.deliver.js';

export interface DeliverSource {
  account: ProviderAccountTable;
  config: SmppConfig;
  /** Waits for multi-part sends whose part ids are being recorded (a receipt may overtake them). */
  partsRecorded(): Promise<void>;
}

const OK = 0;
/** Identical MO content from the same sender within this window is one message redelivered. */
const MO_DEDUPE_WINDOW_MS = 10 * 60_000;
/** A completed concatenation is remembered this long, so a late redelivered part is recognised. */
const COMPLETED_MEMORY_MS = 60 * 60_000;
const MISSING_PART = '[…]';

function delivery(source: DeliverSource): InboundDelivery {
  return { transport: 'smpp', method: 'deliver_sm', url: `smpp://${source.config.host}:${source.config.port}`, remoteIp: null, ackStatus: OK };
}

export async function handleDeliverSm(ctx: AppContext, source: DeliverSource, pdu: PDU, serial: (key: string, work: () => Promise<number>) => Promise<number>): Promise<number> {
  let read: Receipt | MoPart;
  try {
    read = readDeliverSm(pdu, source.config.gsm7Packing);
  } catch (error) {
    if (!(error instanceof MalformedPdu)) throw error;
    return refuse(ctx, source, 'malformed', error.message, smpp.errors.ESME_RX_P_APPN!);
  }
  if (read.kind === 'receipt') return handleReceipt(ctx, source, read);
  const number = await ctx.db.selectFrom('numbers').select('id').where('provider_account_id', '=', source.account.id).where('number', '=', read.to).executeTakeFirst();
  if (!number) return refuse(ctx, source, 'unknown_number', `${read.to} is not a number of smpp account ${source.account.id}`, smpp.errors.ESME_RINVDSTADR!);
  if (!read.concatenation) return storeMo(ctx, source, read.from, read.to, read.text, `${read.from}|${read.to}|${read.fingerprint}`);
  const { reference, total } = read.concatenation;
  const group = `${read.from}|${read.to}|${reference}|${total}`;
  return serial(group, () => handlePart(ctx, source, read as MoPart, group));
}

async function handleReceipt(ctx: AppContext, source: DeliverSource, receipt: Receipt): Promise<number> {
  const { account } = source;
  const id = canonicalId(receipt.messageId, 'receipt', source.config.receiptIdFormat);
  let part = await findPart(ctx, account.id, id);
  if (!part) {
    await source.partsRecorded();
    part = await findPart(ctx, account.id, id);
  }
  const update: StatusUpdate = { providerMessageId: id, status: receipt.status, providerStatus: receipt.providerStatus, ...(receipt.errorCode ? { errorCode: receipt.errorCode, errorMessage: `SMSC error ${receipt.errorCode}` } : {}) };
  const statuses: StatusUpdate[] = [];
  if (!part) statuses.push(update);
  else {
    // A multi-part message is delivered once every part is; one failed part fails it.
    const overall = await ctx.db.transaction().execute(async (trx) => {
      if (receipt.status !== 'sent') {
        await trx.updateTable('message_parts').set({ status: receipt.status, error_code: receipt.errorCode ?? null, updated_at: new Date().toISOString() }).where('provider_account_id', '=', account.id).where('provider_message_id', '=', id).execute();
      }
      const parts = await trx.selectFrom('message_parts').selectAll().where('message_id', '=', part!.message_id).orderBy('part_number').execute();
      const first = parts.find((p) => p.part_number === 1);
      const failed = parts.find((p) => p.status === 'failed' || p.status === 'undelivered');
      if (!first) return null;
      if (failed) return { id: first.provider_message_id, status: failed.status as StatusUpdate['status'], errorCode: failed.error_code, count: parts.length };
      if (parts.length === part!.part_count && parts.every((p) => p.status === 'delivered')) return { id: first.provider_message_id, status: 'delivered' as const, errorCode: null, count: parts.length };
      return null;
    });
    if (overall) {
      statuses.push({
        providerMessageId: overall.id,
        status: overall.status,
        providerStatus: `${receipt.providerStatus} (${overall.status === 'delivered' ? `all ${overall.count} parts` : `part ${part.part_number} of ${part.part_count}`})`,
        ...(overall.errorCode ? { errorCode: overall.errorCode, errorMessage: `SMSC error ${overall.errorCode} on part ${part.part_number} of ${part.part_count}` } : {}),
      });
    }
  }
  await storeInbound(ctx, account, { inbound: [], statuses }, delivery(source));
  return OK;
}

function findPart(ctx: AppContext, accountId: string, id: string) {
  return ctx.db.selectFrom('message_parts').selectAll().where('provider_account_id', '=', accountId).where('provider_message_id', '=', id).executeTakeFirst();
}

async function handlePart(ctx: AppContext, source: DeliverSource, part: MoPart, group: string): Promise<number> {
  const { account } = source;
  const { sequence, total } = part.concatenation!;
  const existing = await ctx.db.selectFrom('smpp_mo_parts').select(['part_number']).where('provider_account_id', '=', account.id).where('group_key', '=', group).execute();
  // A part of a message already stored (its acknowledgement was lost): acknowledge again.
  if (existing.some((row) => row.part_number === 0)) return OK;
  const numbers = new Set(existing.map((row) => row.part_number));
  if (!numbers.has(sequence)) {
    await ctx.db
      .insertInto('smpp_mo_parts')
      .values({ provider_account_id: account.id, group_key: group, part_number: sequence, part_count: total, body: part.text, payload: JSON.stringify({ from: part.from, to: part.to }), created_at: new Date().toISOString() })
      .onConflict((oc) => oc.columns(['provider_account_id', 'group_key', 'part_number']).doNothing())
      .execute();
    numbers.add(sequence);
  }
  if (numbers.size < total) return OK;
  return completeGroup(ctx, source, group);
}

/** Stores the parts of one concatenated MO as one message (gaps marked) and remembers it as done. */
async function completeGroup(ctx: AppContext, source: DeliverSource, group: string): Promise<number> {
  const { account } = source;
  const parts = await ctx.db.selectFrom('smpp_mo_parts').selectAll().where('provider_account_id', '=', account.id).where('group_key', '=', group).where('part_number', '>', 0).orderBy('part_number').execute();
  if (parts.length === 0) return OK;
  const total = parts[0]!.part_count;
  const bySequence = new Map(parts.map((p) => [p.part_number, p.body]));
  const text = Array.from({ length: total }, (_, index) => bySequence.get(index + 1) ?? MISSING_PART).join('');
  const { from, to } = JSON.parse(parts[0]!.payload) as { from: string; to: string };
  return storeMo(ctx, source, from, to, text, `${group}|${text}`, async (trx) => {
    await trx.deleteFrom('smpp_mo_parts').where('provider_account_id', '=', account.id).where('group_key', '=', group).execute();
    await trx
      .insertInto('smpp_mo_parts')
      .values({ provider_account_id: account.id, group_key: group, part_number: 0, part_count: total, body: '', payload: '{}', created_at: new Date().toISOString() })
      .execute();
  });
}

async function storeMo(ctx: AppContext, source: DeliverSource, from: string, to: string, text: string, identity: string, alsoInTransaction?: InboundDelivery['alsoInTransaction']): Promise<number> {
  const providerMessageId = await moMessageId(ctx, source.account.id, identity);
  const result = await storeInbound(ctx, source.account, { inbound: [{ providerMessageId, from, to: [to], body: text, media: [] }], statuses: [] }, { ...delivery(source), alsoInTransaction });
  if (result.kind === 'unknown_number') return refuse(ctx, source, 'unknown_number', `${to} is not a number of smpp account ${source.account.id}`, smpp.errors.ESME_RINVDSTADR!);
  return OK;
}

/**
 * SMPP gives an MO no id of its own, so a redelivery is recognised by its content: the id is a
 * hash of sender, recipient and text per time window, and the previous window's id is reused
 * when it exists (a redelivery straddling a window boundary).
 */
async function moMessageId(ctx: AppContext, accountId: string, identity: string): Promise<string> {
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 32);
  const window = Math.floor(Date.now() / MO_DEDUPE_WINDOW_MS);
  const current = `mo-${hash}-${window}`;
  const previous = `mo-${hash}-${window - 1}`;
  const seen = await ctx.db.selectFrom('messages').select('provider_message_id').where('provider_account_id', '=', accountId).where('provider_message_id', '=', previous).executeTakeFirst();
  return seen ? previous : current;
}

/** Concatenations whose missing parts never came: stored with the gap marked. Old "done" markers are dropped. */
export async function sweepParts(ctx: AppContext, source: DeliverSource): Promise<void> {
  const { account } = source;
  const cutoff = new Date(Date.now() - source.config.reassemblyMs).toISOString();
  const stale = await ctx.db
    .selectFrom('smpp_mo_parts')
    .select('group_key')
    .where('provider_account_id', '=', account.id)
    .where('part_number', '>', 0)
    .where('created_at', '<', cutoff)
    .groupBy('group_key')
    .execute();
  for (const { group_key } of stale) await completeGroup(ctx, source, group_key);
  await ctx.db
    .deleteFrom('smpp_mo_parts')
    .where('provider_account_id', '=', account.id)
    .where('part_number', '=', 0)
    .where('created_at', '<', new Date(Date.now() - COMPLETED_MEMORY_MS).toISOString())
    .execute();
}

async function refuse(ctx: AppContext, source: DeliverSource, code: string, message: string, status: number): Promise<number> {
  const { account, config } = source;
  await ctx.db
    .insertInto('webhook_log')
    .values({ tenant_id: account.tenant_id, provider_account_id: account.id, provider_type: 'smpp', method: 'deliver_sm', url: `smpp://${config.host}:${config.port}`, remote_ip: null, verdict: 'refused', reason: `${code}: ${message}`.slice(0, 500), http_status: status, transport: 'smpp', created_at: new Date().toISOString() })
    .execute();
  ctx.log.warn({ provider: 'smpp', accountId: account.id, reason: code, detail: message }, 'deliver_sm refused');
  return status;
}
