/**
 * Opt-out (F27): keywords from a remote number, the opt-out list, the send guard that refuses
 * sends to opted-out recipients (and to contacts with allow_sms=false) with 409 opted_out, and
 * carrier opt-outs (a provider answering "recipient unsubscribed", e.g. Twilio 21610).
 */
import type { AppContext } from '../../context.js';
import { now } from '../../db/client.js';
import { prepared } from '../../db/prepared.js';
import type { MessageTable } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import type { SendInput, SendValidation } from '../send-message.js';
import { withRouting, type OptOutTable } from './tables.js';
import type { Executor } from './types.js';
import { pairKey, splitPairKey } from '../node-cache.js';

/**
 * The FCC list and its usual variants: the whole message, any case, with surrounding punctuation
 * and hyphens ignored ("Stop.", "STOP ALL", "opt-out").
 */
export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPT OUT', 'OPTOUT'] as const;
/** "Yes" is an everyday answer: it opts back in only a number that is opted out. */
export const CONDITIONAL_OPT_IN_KEYWORDS: readonly string[] = ['YES'];
export const OPT_IN_KEYWORDS = ['START', 'UNSTOP', 'YES'] as const;
export const HELP_KEYWORDS = ['HELP', 'INFO'] as const;

export type KeywordKind = 'opt_out' | 'opt_in' | 'help';

export function detectKeyword(body: string): KeywordKind | null {
  const word = body
    .trim()
    .replace(/^[\s"'([{]+|[\s.!?,;:"')\]}]+$/g, '')
    .replace(/[-_]+/g, ' ')
    .replace(/\s+/g, ' ')
    .toUpperCase();
  if (!word) return null;
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(word)) return 'opt_out';
  if ((OPT_IN_KEYWORDS as readonly string[]).includes(word)) return 'opt_in';
  if ((HELP_KEYWORDS as readonly string[]).includes(word)) return 'help';
  return null;
}

export const TENANT_SCOPE = 'tenant';

const OPT_OUT_HOW: Record<OptOutTable['source'], string> = {
  keyword: 'they texted an opt-out keyword such as STOP',
  carrier: 'their carrier reported them unsubscribed',
  admin: 'added to the opt-out list by an admin',
  import: 'imported into the opt-out list',
};

/**
 * Opt-outs are written only by addOptOut, removeOptOut and deleteOptOut, each in a statement of
 * its own (so committed when it returns), and each drops the phone's entry of ctx.optOuts afterwards.
 */
export async function addOptOut(ctx: AppContext, input: { tenantId: string; phone: string; scope: string; source: OptOutTable['source']; detail?: string | null }): Promise<boolean> {
  const result = await withRouting(ctx.db)
    .insertInto('opt_outs')
    .values({ id: newId('opt'), tenant_id: input.tenantId, phone: input.phone, scope: input.scope, source: input.source, detail: input.detail ?? null, created_at: now() })
    .onConflict((oc) => oc.columns(['tenant_id', 'phone', 'scope']).doNothing())
    .executeTakeFirst();
  optOutsChanged(ctx, input.tenantId, input.phone);
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Opts a phone back in to a number: removes that number's opt-out and any tenant-wide one. */
export async function removeOptOut(ctx: AppContext, tenantId: string, phone: string, numberId: string): Promise<number> {
  const result = await withRouting(ctx.db).deleteFrom('opt_outs').where('tenant_id', '=', tenantId).where('phone', '=', phone).where('scope', 'in', [numberId, TENANT_SCOPE]).executeTakeFirst();
  optOutsChanged(ctx, tenantId, phone);
  return Number(result.numDeletedRows);
}

/** Removes one opt-out of the tenant by id; returns it, or undefined when there was none. */
export async function deleteOptOut(ctx: AppContext, tenantId: string, id: string): Promise<OptOutTable | undefined> {
  const [deleted] = await withRouting(ctx.db).deleteFrom('opt_outs').where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().execute();
  if (deleted) optOutsChanged(ctx, tenantId, deleted.phone);
  return deleted;
}

function optOutsChanged(ctx: AppContext, tenantId: string, phone: string): void {
  ctx.optOuts.changed(pairKey(tenantId, phone));
}

const optOutsOfPhone = prepared<{ tenantId: string; phone: string }>()((db, p) =>
  withRouting(db).selectFrom('opt_outs').selectAll().where('tenant_id', '=', p.tenantId).where('phone', '=', p.phone),
);

const smsRefusingContact = prepared<{ tenantId: string; phone: string }>()((db, p) =>
  withRouting(db)
    .selectFrom('contact_phones')
    .innerJoin('contacts', 'contacts.id', 'contact_phones.contact_id')
    .select(['contacts.id', 'contacts.name', 'contact_phones.phone'])
    .where('contact_phones.tenant_id', '=', p.tenantId)
    .where('contact_phones.phone', '=', p.phone)
    .where('contacts.allow_sms', '=', 0)
    .limit(1),
);

const anySmsRefusingContact = prepared<{ tenantId: string }>()((db, p) =>
  withRouting(db).selectFrom('contacts').select('id').where('tenant_id', '=', p.tenantId).where('allow_sms', '=', 0).limit(1),
);

/**
 * Read through ctx.hasSmsRefusingContacts: most tenants have no contact who refuses SMS, and
 * their sends skip the per-recipient contact lookup (issue 11).
 */
export async function tenantHasSmsRefusingContact(db: Executor, tenantId: string): Promise<boolean> {
  return (await anySmsRefusingContact.first(db, { tenantId })) !== undefined;
}

/** Read through ctx.optOuts: `tenantId\nphone` → that phone's opt-outs, of every scope. */
export function loadOptOutsOfPhone(db: Executor, key: string): Promise<OptOutTable[]> {
  const [tenantId, phone] = splitPairKey(key);
  return optOutsOfPhone.rows(db, { tenantId, phone });
}

/** Opt-outs of these phones that cover this number (its own, or the tenant's). */
export async function findOptOuts(ctx: AppContext, tenantId: string, numberId: string, phones: string[]): Promise<OptOutTable[]> {
  const found: OptOutTable[] = [];
  for (const phone of new Set(phones)) {
    for (const row of await ctx.optOuts.get(pairKey(tenantId, phone))) if (row.scope === numberId || row.scope === TENANT_SCOPE) found.push(row);
  }
  return found;
}

/** Refuses a send to an opted-out recipient or a contact who does not allow SMS. */
export async function optOutGuard(ctx: AppContext, input: SendInput, { number, recipients }: SendValidation): Promise<void> {
  if (input.complianceReply) return;
  const optedOut = await findOptOuts(ctx, input.tenantId, number.id, recipients);
  if (optedOut.length > 0) {
    const first = optedOut[0]!;
    const scope = first.scope === TENANT_SCOPE ? 'every number of this tenant' : number.number;
    // Words only: the stored detail can hold internal ids (a carrier receipt's message id).
    throw new AppError('opted_out', `${first.phone} opted out of ${scope} (${OPT_OUT_HOW[first.source]}); they can text START to opt back in`);
  }
  if (!(await ctx.hasSmsRefusingContacts.get(input.tenantId))) return;
  for (const phone of recipients) {
    const blocked = await smsRefusingContact.first(ctx.db, { tenantId: input.tenantId, phone });
    if (blocked) throw new AppError('opted_out', `${blocked.phone} belongs to contact "${blocked.name}", who does not allow SMS (allowSms is false)`);
  }
}

/**
 * A provider refused a send because the recipient unsubscribed at the carrier: remember it so
 * the next send is refused before it reaches the provider.
 */
export async function recordCarrierOptOut(ctx: AppContext, message: Pick<MessageTable, 'id' | 'tenant_id' | 'number_id' | 'to_numbers' | 'provider_type'>, providerCode: string): Promise<void> {
  if (!message.number_id) return;
  const recipients = JSON.parse(message.to_numbers) as string[];
  for (const phone of recipients) {
    await addOptOut(ctx, { tenantId: message.tenant_id, phone, scope: message.number_id, source: 'carrier', detail: `${message.provider_type ?? 'provider'} ${providerCode} on ${message.id}` });
  }
  ctx.log.info({ messageId: message.id, numberId: message.number_id, code: providerCode }, 'recipient opted out at the carrier; marked opted out');
}
