/**
 * Contacts (F21) and matching (F18): phones are stored normalised to E.164, so an inbound
 * +447700900123 finds the contact saved from "07700 900 123" with default country GB. Every
 * conversation is linked to all contacts whose phone is one of its remote numbers.
 */
import type { AppContext } from '../../context.js';
import { now } from '../../db/client.js';
import { prepared } from '../../db/prepared.js';
import { AppError } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import { requireE164 } from '../../lib/phone.js';
import { INTERNAL_NUMBER } from '../access.js';
import { tenantDefaultCountry } from '../tenant-settings.js';
import { routingDb, withRouting, type ContactTable } from './tables.js';
import type { Executor } from './types.js';
import { pairKey, splitPairKey } from '../node-cache.js';
import type { Static } from '@sinclair/typebox';
import type { ContactShape } from '../../lib/api-shapes.js';

export type FieldValue = string | number | boolean | null;

export interface ContactInput {
  name: string;
  phones: string[];
  fields?: Record<string, FieldValue>;
  tags?: string[];
  allowSms?: boolean;
  defaultCountry?: string | null;
}

export type ApiContact = Static<typeof ContactShape>;

export function normalisePhones(phones: string[], defaultCountry: string | null): string[] {
  return [...new Set(phones.map((phone, index) => requireE164(`phones[${index}]`, phone, defaultCountry)))];
}

function cleanTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()).filter(Boolean))];
}

export async function serializeContacts(ctx: AppContext, rows: ContactTable[]): Promise<ApiContact[]> {
  if (rows.length === 0) return [];
  const phones = await routingDb(ctx.db).selectFrom('contact_phones').select(['contact_id', 'phone']).where('contact_id', 'in', rows.map((row) => row.id)).orderBy('position').execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    phones: phones.filter((p) => p.contact_id === row.id).map((p) => p.phone),
    fields: JSON.parse(row.fields) as Record<string, FieldValue>,
    tags: JSON.parse(row.tags) as string[],
    allowSms: row.allow_sms === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

async function replacePhones(trx: Executor, tenantId: string, contactId: string, phones: string[]): Promise<void> {
  const db = withRouting(trx);
  await db.deleteFrom('contact_phones').where('contact_id', '=', contactId).execute();
  for (const [position, phone] of phones.entries()) {
    await db.insertInto('contact_phones').values({ contact_id: contactId, tenant_id: tenantId, phone, position }).execute();
  }
}

/** Links every conversation of the tenant that has one of these phones as a remote number. */
async function linkExistingConversations(trx: Executor, tenantId: string, contactId: string, phones: string[]): Promise<void> {
  if (phones.length === 0) return;
  const db = withRouting(trx);
  const conversations = await db
    .selectFrom('conversations')
    .select(['id', 'remote_numbers'])
    .where('tenant_id', '=', tenantId)
    .where('our_number', '<>', INTERNAL_NUMBER)
    .where((eb) => eb.or(phones.map((phone) => eb('remote_numbers', 'like', `%${JSON.stringify(phone)}%`))))
    .execute();
  for (const conversation of conversations) {
    await db
      .insertInto('conversation_contacts')
      .values({ conversation_id: conversation.id, contact_id: contactId, tenant_id: tenantId, linked_by: 'auto', created_at: now() })
      .onConflict((oc) => oc.columns(['conversation_id', 'contact_id']).doNothing())
      .execute();
  }
}

export async function createContact(ctx: AppContext, tenantId: string, input: ContactInput): Promise<ContactTable> {
  const phones = normalisePhones(input.phones, input.defaultCountry ?? (await tenantDefaultCountry(ctx, tenantId)));
  const at = now();
  const row: ContactTable = {
    id: newId('ct'),
    tenant_id: tenantId,
    name: input.name.trim(),
    fields: JSON.stringify(input.fields ?? {}),
    tags: JSON.stringify(cleanTags(input.tags ?? [])),
    allow_sms: input.allowSms === false ? 0 : 1,
    created_at: at,
    updated_at: at,
  };
  if (!row.name) throw new AppError('validation_error', 'name must not be empty');
  await ctx.db.transaction().execute(async (trx) => {
    await withRouting(trx).insertInto('contacts').values(row).execute();
    await replacePhones(trx, tenantId, row.id, phones);
    await linkExistingConversations(trx, tenantId, row.id, phones);
  });
  if (row.allow_sms === 0) ctx.hasSmsRefusingContacts.changed(tenantId);
  contactPhonesChanged(ctx, tenantId, phones);
  ctx.events.publish({ type: 'contact.created', tenantId, data: { id: row.id } });
  return row;
}

export async function updateContact(ctx: AppContext, contact: ContactTable, input: Partial<ContactInput>): Promise<ContactTable> {
  const changes: Partial<ContactTable> = { updated_at: now() };
  if (input.name !== undefined) {
    if (!input.name.trim()) throw new AppError('validation_error', 'name must not be empty');
    changes.name = input.name.trim();
  }
  if (input.fields !== undefined) changes.fields = JSON.stringify(input.fields);
  if (input.tags !== undefined) changes.tags = JSON.stringify(cleanTags(input.tags));
  if (input.allowSms !== undefined) changes.allow_sms = input.allowSms ? 1 : 0;
  const phones = input.phones !== undefined ? normalisePhones(input.phones, input.defaultCountry ?? (await tenantDefaultCountry(ctx, contact.tenant_id))) : null;
  const replaced = await ctx.db.transaction().execute(async (trx) => {
    await withRouting(trx).updateTable('contacts').set(changes).where('tenant_id', '=', contact.tenant_id).where('id', '=', contact.id).execute();
    if (!phones) return [];
    const before = await phonesOf(trx, contact.id);
    // Automatic links follow the phones; links made by hand stay.
    await withRouting(trx).deleteFrom('conversation_contacts').where('contact_id', '=', contact.id).where('linked_by', '=', 'auto').execute();
    await replacePhones(trx, contact.tenant_id, contact.id, phones);
    await linkExistingConversations(trx, contact.tenant_id, contact.id, phones);
    // Both the phones it had and the ones it has now match differently from here on.
    return [...before, ...phones];
  });
  if (changes.allow_sms === 0) ctx.hasSmsRefusingContacts.changed(contact.tenant_id);
  contactPhonesChanged(ctx, contact.tenant_id, replaced);
  ctx.events.publish({ type: 'contact.updated', tenantId: contact.tenant_id, data: { id: contact.id } });
  return { ...contact, ...changes };
}

/** Links a conversation to every contact of its tenant whose phone is one of its remote numbers; returns the contacts newly linked. */
export async function linkConversationContacts(ctx: AppContext, conversation: { id: string; tenantId: string; ourNumber: string; remotes: string[] }): Promise<string[]> {
  if (conversation.ourNumber === INTERNAL_NUMBER) return [];
  const remotes = conversation.remotes;
  if (remotes.length === 0) return [];
  const db = withRouting(ctx.db);
  const contactIds = new Set<string>();
  for (const phone of new Set(remotes)) {
    for (const contactId of await ctx.contactsByPhone.get(pairKey(conversation.tenantId, phone))) contactIds.add(contactId);
  }
  const linked: string[] = [];
  for (const contactId of contactIds) {
    const inserted = await db
      .insertInto('conversation_contacts')
      .values({ conversation_id: conversation.id, contact_id: contactId, tenant_id: conversation.tenantId, linked_by: 'auto', created_at: now() })
      .onConflict((oc) => oc.columns(['conversation_id', 'contact_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) linked.push(contactId);
  }
  return linked;
}

const contactsWithPhone = prepared<{ tenantId: string; phone: string }>()((db, p) =>
  withRouting(db).selectFrom('contact_phones').select('contact_id').distinct().where('tenant_id', '=', p.tenantId).where('phone', '=', p.phone),
);

/** Read through ctx.contactsByPhone: `tenantId\nphone` → the ids of the tenant's contacts with that phone. */
export async function loadContactsWithPhone(db: Executor, key: string): Promise<string[]> {
  const [tenantId, phone] = splitPairKey(key);
  return (await contactsWithPhone.rows(db, { tenantId, phone })).map((row) => row.contact_id);
}

/** After a commit that gave or took these phones from a contact. */
function contactPhonesChanged(ctx: AppContext, tenantId: string, phones: Iterable<string>): void {
  for (const phone of new Set(phones)) ctx.contactsByPhone.changed(pairKey(tenantId, phone));
}

async function phonesOf(executor: Executor, contactId: string): Promise<string[]> {
  return (await withRouting(executor).selectFrom('contact_phones').select('phone').where('contact_id', '=', contactId).execute()).map((row) => row.phone);
}

/** Deletes a contact with its phones and conversation links. */
export async function deleteContact(ctx: AppContext, contact: ContactTable): Promise<void> {
  const phones = await ctx.db.transaction().execute(async (trx) => {
    const tx = withRouting(trx);
    const before = await phonesOf(trx, contact.id);
    await tx.deleteFrom('conversation_contacts').where('contact_id', '=', contact.id).execute();
    await tx.deleteFrom('contact_phones').where('contact_id', '=', contact.id).execute();
    await tx.deleteFrom('contacts').where('tenant_id', '=', contact.tenant_id).where('id', '=', contact.id).execute();
    return before;
  });
  contactPhonesChanged(ctx, contact.tenant_id, phones);
}

/** contacts: [{id, name}] for each conversation (serializeConversations). */
export async function contactsOfConversations(executor: Executor, conversationIds: string[]): Promise<Map<string, Array<{ id: string; name: string }>>> {
  const result = new Map<string, Array<{ id: string; name: string }>>();
  if (conversationIds.length === 0) return result;
  const rows = await withRouting(executor)
    .selectFrom('conversation_contacts')
    .innerJoin('contacts', 'contacts.id', 'conversation_contacts.contact_id')
    .select(['conversation_contacts.conversation_id', 'contacts.id', 'contacts.name'])
    .where('conversation_contacts.conversation_id', 'in', conversationIds)
    .orderBy('contacts.name')
    .execute();
  for (const row of rows) {
    const list = result.get(row.conversation_id) ?? [];
    list.push({ id: row.id, name: row.name });
    result.set(row.conversation_id, list);
  }
  return result;
}
