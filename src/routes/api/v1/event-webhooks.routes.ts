/**
 * /event-webhooks (F28): endpoints subscribed to events, their secret (shown once at creation and
 * at rotation), delivery log, test events and resends. Admins only; every change is audited.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import { AppError, notFound } from '../../../errors.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { auditSource, diffChanges, recordAudit } from '../../../services/audit.js';
import { enqueueDelivery, resendDelivery } from '../../../services/automation/event-delivery.js';
import {
  checkEndpointUrl,
  checkEvents,
  DEFAULT_ROTATION_GRACE_HOURS,
  EVENT_TYPES,
  findEventWebhook,
  newEventWebhook,
  serializeEventWebhook,
} from '../../../services/automation/event-webhooks.js';
import { newSigningSecret } from '../../../services/automation/signing.js';
import { decodeCursor, ErrorSchema, page, PagingQuery } from './paging.js';

const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Events = Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { minItems: 1, maxItems: EVENT_TYPES.length });
const Description = Type.String({ maxLength: 500 });
const Create = Type.Object({ url: Url, events: Events, description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const Update = Type.Object({ url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const Rotate = Type.Object({ graceHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 168 })) }, { additionalProperties: false });
const ListQuery = Type.Object({ ...PagingQuery }, { additionalProperties: false });
const errors = { 400: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

export async function eventWebhookRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get('/event-webhooks/event-types', { schema: { tags: ['event webhooks'] } }, async (request) => {
    requireAdmin(request);
    return { items: EVENT_TYPES };
  });

  app.get<{ Querystring: Static<typeof ListQuery> }>('/event-webhooks', { schema: { tags: ['event webhooks'], querystring: ListQuery } }, async (request) => {
    requireAdmin(request);
    const limit = request.query.limit ?? 50;
    let query = ctx.db.selectFrom('event_webhooks').selectAll().where('tenant_id', '=', request.auth.tenantId);
    const cursor = decodeCursor(request.query.cursor);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '>', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '>', cursor.id)])]));
    const rows = await query.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
    const result = page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
    return { items: result.items.map(serializeEventWebhook), nextCursor: result.nextCursor };
  });

  app.post<{ Body: Static<typeof Create> }>('/event-webhooks', { schema: { tags: ['event webhooks'], body: Create, response: errors } }, async (request, reply) => {
    requireAdmin(request);
    const source = auditSource(request);
    const url = await checkEndpointUrl(ctx, request.body.url);
    const events = checkEvents(request.body.events);
    const { row, secret } = newEventWebhook(ctx, source.tenantId, { url, events, description: request.body.description, enabled: request.body.enabled });
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('event_webhooks').values(row).execute();
      await recordAudit(trx, { ...source, action: 'event_webhook.created', target: { type: 'webhook_endpoint', id: row.id, label: url }, changes: { url, events, description: row.description, enabled: row.enabled === 1 } });
    });
    ctx.eventWebhookEndpoints.changed(source.tenantId);
    // The only time the secret is shown (besides a rotation).
    return reply.status(201).send({ ...serializeEventWebhook(row), secret });
  });

  app.get<{ Params: { id: string } }>('/event-webhooks/:id', { schema: { tags: ['event webhooks'] } }, async (request) => {
    requireAdmin(request);
    return serializeEventWebhook(await findEventWebhook(ctx, request.auth.tenantId, request.params.id));
  });

  app.patch<{ Params: { id: string }; Body: Static<typeof Update> }>('/event-webhooks/:id', { schema: { tags: ['event webhooks'], body: Update, response: errors } }, async (request) => {
    requireAdmin(request);
    const source = auditSource(request);
    const existing = await findEventWebhook(ctx, source.tenantId, request.params.id);
    const set: Record<string, unknown> = { updated_at: now() };
    if (request.body.url !== undefined) set.url = await checkEndpointUrl(ctx, request.body.url);
    if (request.body.events !== undefined) set.events = JSON.stringify(checkEvents(request.body.events));
    if (request.body.description !== undefined) set.description = request.body.description;
    if (request.body.enabled !== undefined) {
      set.enabled = request.body.enabled ? 1 : 0;
      // Enabling again clears the automatic-disable notice.
      if (request.body.enabled) Object.assign(set, { disabled_reason: null, disabled_at: null });
    }
    const updated = { ...existing, ...set } as typeof existing;
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('event_webhooks').set(set).where('tenant_id', '=', source.tenantId).where('id', '=', existing.id).execute();
      const before = serializeEventWebhook(existing);
      const after = serializeEventWebhook(updated);
      await recordAudit(trx, {
        ...source,
        action: 'event_webhook.updated',
        target: { type: 'webhook_endpoint', id: existing.id, label: after.url },
        changes: diffChanges({ url: before.url, events: before.events, description: before.description, enabled: before.enabled }, { url: after.url, events: after.events, description: after.description, enabled: after.enabled }),
      });
    });
    ctx.eventWebhookEndpoints.changed(source.tenantId);
    return serializeEventWebhook(updated);
  });

  app.delete<{ Params: { id: string } }>('/event-webhooks/:id', { schema: { tags: ['event webhooks'] } }, async (request, reply) => {
    requireAdmin(request);
    const source = auditSource(request);
    const existing = await findEventWebhook(ctx, source.tenantId, request.params.id);
    await ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('event_delivery_attempts').where('tenant_id', '=', source.tenantId).where('endpoint_id', '=', existing.id).execute();
      await trx.deleteFrom('event_deliveries').where('tenant_id', '=', source.tenantId).where('endpoint_id', '=', existing.id).execute();
      await trx.deleteFrom('event_webhooks').where('tenant_id', '=', source.tenantId).where('id', '=', existing.id).execute();
      await recordAudit(trx, { ...source, action: 'event_webhook.deleted', target: { type: 'webhook_endpoint', id: existing.id, label: existing.url }, changes: { url: existing.url, events: JSON.parse(existing.events) } });
    });
    ctx.eventWebhookEndpoints.changed(source.tenantId);
    return reply.status(204).send();
  });

  /** A new secret, shown once; the previous one keeps signing for graceHours (default 24) so receivers can switch. */
  app.post<{ Params: { id: string }; Body: Static<typeof Rotate> }>('/event-webhooks/:id/rotate-secret', { schema: { tags: ['event webhooks'], body: Rotate } }, async (request) => {
    requireAdmin(request);
    const source = auditSource(request);
    const existing = await findEventWebhook(ctx, source.tenantId, request.params.id);
    const graceHours = request.body?.graceHours ?? DEFAULT_ROTATION_GRACE_HOURS;
    const secret = newSigningSecret();
    const set = {
      secret: ctx.secrets.seal(secret),
      previous_secret: graceHours > 0 ? existing.secret : null,
      previous_secret_expires_at: graceHours > 0 ? new Date(Date.now() + graceHours * 3_600_000).toISOString() : null,
      updated_at: now(),
    };
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('event_webhooks').set(set).where('tenant_id', '=', source.tenantId).where('id', '=', existing.id).execute();
      await recordAudit(trx, { ...source, action: 'event_webhook.secret_rotated', target: { type: 'webhook_endpoint', id: existing.id, label: existing.url }, changes: { graceHours } });
    });
    return { ...serializeEventWebhook({ ...existing, ...set }), secret };
  });

  app.post<{ Params: { id: string } }>('/event-webhooks/:id/test', { schema: { tags: ['event webhooks'] } }, async (request, reply) => {
    requireAdmin(request);
    const endpoint = await findEventWebhook(ctx, request.auth.tenantId, request.params.id);
    const body = JSON.stringify({ type: 'webhook.test', timestamp: new Date().toISOString(), data: { endpointId: endpoint.id, message: 'A test event from Switchboard' } });
    const deliveryId = await ctx.db.transaction().execute((trx) => enqueueDelivery(ctx, trx, endpoint, 'webhook.test', body, { manual: true }));
    ctx.queue.wake();
    return reply.status(202).send({ deliveryId });
  });

  app.get<{ Params: { id: string }; Querystring: Static<typeof ListQuery> }>('/event-webhooks/:id/deliveries', { schema: { tags: ['event webhooks'], querystring: ListQuery } }, async (request) => {
    requireAdmin(request);
    const tenantId = request.auth.tenantId;
    const endpoint = await findEventWebhook(ctx, tenantId, request.params.id);
    const limit = request.query.limit ?? 50;
    let query = ctx.db.selectFrom('event_deliveries').selectAll().where('tenant_id', '=', tenantId).where('endpoint_id', '=', endpoint.id);
    const cursor = decodeCursor(request.query.cursor);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const result = page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
    const ids = result.items.map((row) => row.id);
    const attempts = ids.length ? await ctx.db.selectFrom('event_delivery_attempts').selectAll().where('tenant_id', '=', tenantId).where('delivery_id', 'in', ids).orderBy('attempt').execute() : [];
    return {
      items: result.items.map((row) => ({
        id: row.id,
        eventType: row.event_type,
        status: row.status,
        attempts: attempts
          .filter((a) => a.delivery_id === row.id)
          .map((a) => ({ attempt: a.attempt, statusCode: a.status_code, latencyMs: a.latency_ms, response: a.response_excerpt, error: a.error, at: a.created_at })),
        nextAttemptAt: row.next_attempt_at,
        payload: JSON.parse(row.payload) as unknown,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      })),
      nextCursor: result.nextCursor,
    };
  });

  app.post<{ Params: { id: string; deliveryId: string } }>('/event-webhooks/:id/deliveries/:deliveryId/resend', { schema: { tags: ['event webhooks'] } }, async (request, reply) => {
    requireAdmin(request);
    const tenantId = request.auth.tenantId;
    const endpoint = await findEventWebhook(ctx, tenantId, request.params.id);
    const delivery = await ctx.db.selectFrom('event_deliveries').selectAll().where('tenant_id', '=', tenantId).where('endpoint_id', '=', endpoint.id).where('id', '=', request.params.deliveryId).executeTakeFirst();
    if (!delivery) throw notFound('delivery', request.params.deliveryId);
    if (!(await resendDelivery(ctx, delivery))) throw new AppError('conflict', `delivery ${delivery.id} is still being delivered; wait for it to succeed or fail`);
    return reply.status(202).send({ deliveryId: delivery.id, status: 'pending' });
  });
}
