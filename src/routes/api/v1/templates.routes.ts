/** Message templates (F24): CRUD, and a preview rendered for one recipient with its segment count. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { requireE164 } from '../../../lib/phone.js';
import { countSegments } from '../../../lib/segments.js';
import { requireAdmin, requireScope } from '../../../plugins/auth.js';
import { auditSource, diffChanges, recordAudit } from '../../../services/audit.js';
import { tenantDefaultCountry } from '../../../services/tenant-settings.js';
import { buildTemplateData, checkVariables } from '../../../services/templates/data.js';
import { renderTemplate } from '../../../services/templates/render.js';
import { createTemplate, findTemplate, serializeTemplate, updateTemplate } from '../../../services/templates/store.js';
import { decodeCursor, ErrorSchema, page, PagingQuery } from './paging.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Body = Type.String({ minLength: 1, maxLength: 10_000 });
const MediaIds = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 10 });
const CreateTemplate = Type.Object({ name: Name, body: Body, mediaIds: Type.Optional(MediaIds) }, { additionalProperties: false });
const UpdateTemplate = Type.Object({ name: Type.Optional(Name), body: Type.Optional(Body), mediaIds: Type.Optional(MediaIds) }, { additionalProperties: false });
const ListQuery = Type.Object({ ...PagingQuery, q: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
const RenderBody = Type.Object(
  { to: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })), variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
  { additionalProperties: false },
);
const TemplateSchema = Type.Object({ id: Type.String(), name: Type.String(), body: Type.String(), mediaIds: Type.Array(Type.String()), createdAt: Type.String(), updatedAt: Type.String() });
const errors = { 400: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

export async function templateRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/templates', { schema: { tags: ['templates'], querystring: ListQuery } }, async (request) => {
    requireScope(request, 'messages:read');
    const limit = request.query.limit ?? 50;
    let query = ctx.db.selectFrom('templates').selectAll().where('tenant_id', '=', request.auth.tenantId);
    if (request.query.q) query = query.where('name', 'like', `%${request.query.q.replace(/[%_\\]/g, '')}%`);
    const cursor = decodeCursor(request.query.cursor);
    // Sorted by name; the cursor's "at" carries the name.
    if (cursor) query = query.where((eb) => eb.or([eb('name', '>', cursor.at), eb.and([eb('name', '=', cursor.at), eb('id', '>', cursor.id)])]));
    const rows = await query.orderBy('name').orderBy('id').limit(limit + 1).execute();
    const result = page(rows, limit, (row) => ({ at: row.name, id: row.id }));
    return { items: result.items.map(serializeTemplate), nextCursor: result.nextCursor };
  });

  app.post<{ Body: Static<typeof CreateTemplate> }>('/templates', { schema: { tags: ['templates'], body: CreateTemplate, response: { 201: TemplateSchema, ...errors } } }, async (request, reply) => {
    requireAdmin(request);
    const source = auditSource(request);
    const row = await ctx.db.transaction().execute(async (trx) => {
      const created = await createTemplate(trx, source.tenantId, request.auth.userId, request.body);
      await recordAudit(trx, { ...source, action: 'template.created', target: { type: 'template', id: created.id, label: created.name }, changes: { name: created.name, body: created.body, mediaIds: request.body.mediaIds ?? [] } });
      return created;
    });
    return reply.status(201).send(serializeTemplate(row));
  });

  app.get<{ Params: { id: string } }>('/templates/:id', { schema: { tags: ['templates'], response: { 200: TemplateSchema, ...errors } } }, async (request) => {
    requireScope(request, 'messages:read');
    return serializeTemplate(await findTemplate(ctx.db, request.auth.tenantId, request.params.id));
  });

  app.patch<{ Params: { id: string }; Body: Static<typeof UpdateTemplate> }>('/templates/:id', { schema: { tags: ['templates'], body: UpdateTemplate, response: { 200: TemplateSchema, ...errors } } }, async (request) => {
    requireAdmin(request);
    const source = auditSource(request);
    const existing = await findTemplate(ctx.db, source.tenantId, request.params.id);
    const row = await ctx.db.transaction().execute(async (trx) => {
      const updated = await updateTemplate(trx, existing, request.body);
      const before = serializeTemplate(existing);
      const after = serializeTemplate(updated);
      await recordAudit(trx, { ...source, action: 'template.updated', target: { type: 'template', id: updated.id, label: updated.name }, changes: diffChanges({ name: before.name, body: before.body, mediaIds: before.mediaIds }, { name: after.name, body: after.body, mediaIds: after.mediaIds }) });
      return updated;
    });
    return serializeTemplate(row);
  });

  app.delete<{ Params: { id: string } }>('/templates/:id', { schema: { tags: ['templates'] } }, async (request, reply) => {
    requireAdmin(request);
    const source = auditSource(request);
    const existing = await findTemplate(ctx.db, source.tenantId, request.params.id);
    await ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('templates').where('tenant_id', '=', source.tenantId).where('id', '=', existing.id).execute();
      await recordAudit(trx, { ...source, action: 'template.deleted', target: { type: 'template', id: existing.id, label: existing.name }, changes: { name: existing.name, body: existing.body } });
    });
    return reply.status(204).send();
  });

  /** The template rendered for a recipient (their contact's data), as compose previews it before sending. */
  app.post<{ Params: { id: string }; Body: Static<typeof RenderBody> }>('/templates/:id/render', { schema: { tags: ['templates'], body: RenderBody } }, async (request) => {
    requireScope(request, 'messages:send');
    const tenantId = request.auth.tenantId;
    const template = await findTemplate(ctx.db, tenantId, request.params.id);
    const recipient = request.body.to ? requireE164('to', request.body.to, await tenantDefaultCountry(ctx, tenantId)) : null;
    const data = await buildTemplateData(ctx, { tenantId, userId: request.auth.userId, recipient, variables: checkVariables(request.body.variables) });
    const result = await renderTemplate(template.body, data);
    const info = countSegments(result.text);
    return { text: result.text, emptyVariables: result.emptyVariables, encoding: info.encoding, segments: info.segments, mediaIds: JSON.parse(template.media_ids) as string[] };
  });
}
