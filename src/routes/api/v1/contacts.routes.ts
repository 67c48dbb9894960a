/**
 * Contacts (F21): CRUD, linking a conversation by hand, and CSV import. Phones are read with
 * `defaultCountry` (or DEFAULT_COUNTRY) and stored in E.164, so inbound numbers match them.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import { AppError, notFound } from '../../../errors.js';
import { toE164 } from '../../../lib/phone.js';
import { accessScope, canSeeConversation, visibleNumberIds } from '../../../services/access.js';
import { createContact, deleteContact, serializeContacts, updateContact, type FieldValue } from '../../../services/routing/contacts.js';
import { parseCsv } from '../../../services/routing/csv.js';
import { routingDb, withRouting } from '../../../services/routing/tables.js';
import { tenantDefaultCountry } from '../../../services/tenant-settings.js';
import { decodeCursor, page, PagingQuery } from './paging.js';
import { containsText } from '../../../db/text-search.js';

const FieldValueSchema = Type.Union([Type.String({ maxLength: 2000 }), Type.Number(), Type.Boolean(), Type.Null()]);
const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  phones: Type.Array(Type.String({ minLength: 3, maxLength: 40 }), { maxItems: 20 }),
  fields: Type.Record(Type.String({ minLength: 1, maxLength: 100 }), FieldValueSchema, { maxProperties: 100 }),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 }),
  allowSms: Type.Boolean(),
  defaultCountry: Type.Union([Type.String({ pattern: '^[A-Za-z]{2}$' }), Type.Null()]),
};
const CreateContact = Type.Object(
  { name: fields.name, phones: Type.Optional(fields.phones), fields: Type.Optional(fields.fields), tags: Type.Optional(fields.tags), allowSms: Type.Optional(fields.allowSms), defaultCountry: Type.Optional(fields.defaultCountry) },
  { additionalProperties: false },
);
const UpdateContact = Type.Partial(Type.Object(fields), { additionalProperties: false });
const ListQuery = Type.Object(
  { ...PagingQuery, q: Type.Optional(Type.String({ maxLength: 200 })), tag: Type.Optional(Type.String({ maxLength: 100 })), phone: Type.Optional(Type.String({ maxLength: 40 })) },
  { additionalProperties: false },
);
const Link = Type.Object({ conversationId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
const ImportJson = Type.Object({ csv: Type.String({ minLength: 1, maxLength: 5_000_000 }), defaultCountry: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })) }, { additionalProperties: false });
const ImportQuery = Type.Object({ defaultCountry: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })) }, { additionalProperties: false });

const MAX_IMPORT_ROWS = 50_000;

export async function contactRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const db = routingDb(ctx.db);
  // CSV import may be posted as text/csv; the parser lives in this plugin only.
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: 5_000_000 }, (_request, body, done) => done(null, body));

  const find = async (tenantId: string, id: string) => {
    const row = await db.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('contact', id);
    return row;
  };

  app.get<{ Querystring: Static<typeof ListQuery> }>('/contacts', { schema: { tags: ['contacts'], querystring: ListQuery } }, async (request) => {
    const q = request.query;
    const tenantId = request.auth.tenantId;
    const limit = q.limit ?? 50;
    let query = db.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId);
    if (q.q) {
      const text = q.q;
      const phone = toE164(text, await tenantDefaultCountry(ctx, tenantId));
      query = query.where((eb) =>
        eb.or([
          containsText('name', text),
          eb('id', 'in', eb.selectFrom('contact_phones').select('contact_id').where('tenant_id', '=', tenantId).where(containsText('phone', phone ? phone.slice(1) : text))),
        ]),
      );
    }
    if (q.tag) query = query.where(containsText('tags', JSON.stringify(q.tag)));
    if (q.phone) {
      const phone = toE164(q.phone, await tenantDefaultCountry(ctx, tenantId)) ?? q.phone;
      query = query.where('id', 'in', db.selectFrom('contact_phones').select('contact_id').where('tenant_id', '=', tenantId).where('phone', '=', phone));
    }
    const cursor = decodeCursor(q.cursor);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const result = page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
    return { items: await serializeContacts(ctx, result.items), nextCursor: result.nextCursor };
  });

  app.post<{ Body: Static<typeof CreateContact> }>('/contacts', { schema: { tags: ['contacts'], body: CreateContact } }, async (request, reply) => {
    const row = await createContact(ctx, request.auth.tenantId, { ...request.body, phones: request.body.phones ?? [] });
    return reply.status(201).send((await serializeContacts(ctx, [row]))[0]);
  });

  app.get<{ Params: { id: string } }>('/contacts/:id', { schema: { tags: ['contacts'] } }, async (request) => {
    return (await serializeContacts(ctx, [await find(request.auth.tenantId, request.params.id)]))[0];
  });

  /**
   * Agents edit the contacts of their own conversations (and unlinked ones, e.g. just created);
   * contacts that only appear in other people's conversations are an admin's.
   */
  const assertMayEdit = async (request: FastifyRequest, contactId: string) => {
    if (request.auth.role !== 'agent') return;
    const visible = (await visibleNumberIds(ctx, request.auth)) ?? [];
    const links = await withRouting(ctx.db)
      .selectFrom('conversation_contacts')
      .innerJoin('conversations', 'conversations.id', 'conversation_contacts.conversation_id')
      .select(['conversations.number_id'])
      .where('conversation_contacts.contact_id', '=', contactId)
      .where('conversations.tenant_id', '=', request.auth.tenantId)
      .execute();
    if (links.length > 0 && !links.some((link) => link.number_id !== null && visible.includes(link.number_id))) {
      throw new AppError('forbidden', 'this contact belongs to conversations on numbers not routed to you; ask an admin to change it', { statusCode: 403 });
    }
  };

  app.patch<{ Params: { id: string }; Body: Static<typeof UpdateContact> }>('/contacts/:id', { schema: { tags: ['contacts'], body: UpdateContact } }, async (request) => {
    await assertMayEdit(request, request.params.id);
    const row = await updateContact(ctx, await find(request.auth.tenantId, request.params.id), request.body);
    return (await serializeContacts(ctx, [row]))[0];
  });

  app.delete<{ Params: { id: string } }>('/contacts/:id', { schema: { tags: ['contacts'] } }, async (request, reply) => {
    await assertMayEdit(request, request.params.id);
    await deleteContact(ctx, await find(request.auth.tenantId, request.params.id));
    return reply.status(204).send();
  });

  /** Links a conversation to this contact by hand (F21 "Not linked" → linked). */
  app.post<{ Params: { id: string }; Body: Static<typeof Link> }>('/contacts/:id/link', { schema: { tags: ['contacts'], body: Link } }, async (request) => {
    const contact = await find(request.auth.tenantId, request.params.id);
    const conversation = await ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', request.auth.tenantId).where('id', '=', request.body.conversationId).executeTakeFirst();
    if (!conversation || !canSeeConversation(await accessScope(ctx, request.auth), conversation)) throw notFound('conversation', request.body.conversationId);
    await db
      .insertInto('conversation_contacts')
      .values({ conversation_id: conversation.id, contact_id: contact.id, tenant_id: contact.tenant_id, linked_by: 'manual', created_at: now() })
      .onConflict((oc) => oc.columns(['conversation_id', 'contact_id']).doUpdateSet({ linked_by: 'manual' }))
      .execute();
    ctx.events.publish({ type: 'conversation.updated', tenantId: conversation.tenant_id, numberId: conversation.number_id, data: { id: conversation.id } });
    return { contactId: contact.id, conversationId: conversation.id, linked: true };
  });

  app.delete<{ Params: { id: string; conversationId: string } }>('/contacts/:id/link/:conversationId', { schema: { tags: ['contacts'] } }, async (request, reply) => {
    const contact = await find(request.auth.tenantId, request.params.id);
    const conversation = await ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', request.auth.tenantId).where('id', '=', request.params.conversationId).executeTakeFirst();
    if (!conversation || !canSeeConversation(await accessScope(ctx, request.auth), conversation)) throw notFound('conversation', request.params.conversationId);
    await db.deleteFrom('conversation_contacts').where('tenant_id', '=', contact.tenant_id).where('contact_id', '=', contact.id).where('conversation_id', '=', conversation.id).execute();
    ctx.events.publish({ type: 'conversation.updated', tenantId: conversation.tenant_id, numberId: conversation.number_id, data: { id: conversation.id } });
    return reply.status(204).send();
  });

  /**
   * CSV import: a header row naming `name`, `phone`/`phones` (several separated by ; or |),
   * optional `tags` (;-separated), `allow_sms`, and any other columns as custom fields.
   * Send text/csv (defaultCountry in the query) or JSON {csv, defaultCountry}. Rows that fail
   * are reported by line; the others are imported.
   */
  app.post<{ Body: string | Static<typeof ImportJson>; Querystring: Static<typeof ImportQuery> }>(
    '/contacts/import',
    { schema: { tags: ['contacts'], querystring: ImportQuery }, bodyLimit: 5_000_000 },
    async (request) => {
      let csv: string;
      let defaultCountry = request.query.defaultCountry ?? null;
      if (typeof request.body === 'string') {
        csv = request.body;
      } else if (request.body && typeof request.body === 'object' && typeof (request.body as { csv?: unknown }).csv === 'string') {
        const body = request.body as Static<typeof ImportJson>;
        const extra = Object.keys(body).find((key) => key !== 'csv' && key !== 'defaultCountry');
        if (extra) throw new AppError('validation_error', `body/${extra} is not allowed`);
        csv = body.csv;
        defaultCountry = body.defaultCountry ?? defaultCountry;
      } else {
        throw new AppError('validation_error', 'send the CSV as text/csv, or JSON {csv, defaultCountry?}');
      }
      const rows = parseCsv(csv);
      if (rows.length < 2) throw new AppError('validation_error', 'the CSV needs a header row and at least one contact');
      if (rows.length - 1 > MAX_IMPORT_ROWS) throw new AppError('validation_error', `the CSV has ${rows.length - 1} rows; import at most ${MAX_IMPORT_ROWS} at a time`);
      const header = rows[0]!.map((cell) => cell.trim().toLowerCase().replace(/\s+/g, '_'));
      const nameAt = header.findIndex((h) => h === 'name' || h === 'full_name');
      const phoneAt = header.findIndex((h) => h === 'phone' || h === 'phones' || h === 'mobile' || h === 'phone_number');
      if (nameAt < 0 || phoneAt < 0) throw new AppError('validation_error', 'the header row must name a "name" and a "phone" column');
      const tagsAt = header.indexOf('tags');
      const allowAt = header.findIndex((h) => h === 'allow_sms' || h === 'allowsms');
      const errors: Array<{ line: number; message: string }> = [];
      let imported = 0;
      for (const [index, cells] of rows.slice(1).entries()) {
        const line = index + 2;
        if (cells.every((cell) => !cell.trim())) continue;
        try {
          const custom: Record<string, FieldValue> = {};
          header.forEach((column, at) => {
            if ([nameAt, phoneAt, tagsAt, allowAt].includes(at) || !column) return;
            if (cells[at] !== undefined && cells[at] !== '') custom[column] = cells[at]!;
          });
          const allow = allowAt >= 0 ? (cells[allowAt] ?? '').trim().toLowerCase() : '';
          const phones = (cells[phoneAt] ?? '').split(/[;|]/).map((p) => p.trim()).filter(Boolean);
          if (phones.length === 0) throw new AppError('validation_error', 'the row has no phone');
          await createContact(ctx, request.auth.tenantId, {
            name: (cells[nameAt] ?? '').trim(),
            phones,
            tags: tagsAt >= 0 ? (cells[tagsAt] ?? '').split(/[;|]/) : [],
            allowSms: !['false', '0', 'no', 'n'].includes(allow),
            fields: custom,
            defaultCountry,
          });
          imported += 1;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          errors.push({ line, message: error.message });
        }
      }
      return { imported, failed: errors.length, errors: errors.slice(0, 500) };
    },
  );
}
