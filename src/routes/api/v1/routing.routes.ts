/**
 * Routing, notifications, permissions and compliance (F8, F12, F15–F17, F21, F27): system
 * notifications, tenant settings for opt-outs and the notification template, replies from a
 * conversation's own number, and the groups, contacts and opt-out resources.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { notFound } from '../../../errors.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { accessScope, canSeeConversation, INTERNAL_NUMBER } from '../../../services/access.js';
import { checkTemplate, sendVoicemailNotification } from '../../../services/routing/notifications.js';
import { addRoutingSendGuards } from '../../../services/routing/register.js';
import { getComplianceSettings, getNotificationTemplate, writeTenantSetting } from '../../../services/routing/tables.js';
import { acceptMessage } from '../../../services/send-message.js';
import { contactRoutes } from './contacts.routes.js';
import { groupRoutes } from './groups.routes.js';
import { optOutRoutes } from './opt-outs.routes.js';
import { composeOutbound } from '../../../services/compose-outbound.js';
import { SendBody } from './messages.routes.js';

const Voicemail = Type.Object(
  {
    type: Type.Literal('voicemail'),
    extension: Type.String({ pattern: '^[0-9]{2,8}$' }),
    callerNumber: Type.String({ minLength: 1, maxLength: 40 }),
    callerName: Type.Optional(Type.String({ maxLength: 200 })),
    durationSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    transcription: Type.Optional(Type.String({ maxLength: 20_000 })),
  },
  { additionalProperties: false },
);
const Template = Type.Object(
  { template: Type.String({ minLength: 1, maxLength: 5000 }), maxSegments: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })) },
  { additionalProperties: false },
);
const Compliance = Type.Partial(
  Type.Object({
    optOutScope: Type.Union([Type.Literal('number'), Type.Literal('tenant')]),
    optOutReply: Type.String({ maxLength: 1000 }),
    optInReply: Type.String({ maxLength: 1000 }),
    helpText: Type.String({ minLength: 1, maxLength: 1000 }),
    unmonitoredReply: Type.String({ maxLength: 1000 }),
  }),
  { additionalProperties: false },
);
const MediaItem = Type.Union([
  Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
  Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
]);
/** A reply takes everything a send does (templates, cases, documents) except from and to. */
const Reply = Type.Omit(SendBody, ['from', 'to'], { additionalProperties: false });

export async function routingRoutes(app: FastifyInstance, opts: { ctx: AppContext }) {
  const { ctx } = opts;
  // Whoever serves the API enforces send permissions and opt-outs, even without workers.
  addRoutingSendGuards();
  await app.register(groupRoutes, opts);
  await app.register(contactRoutes, opts);
  await app.register(optOutRoutes, opts);

  /** F12: the PBX asks for a system notification, e.g. a voicemail notice to the extension's mobile. */
  app.post<{ Body: Static<typeof Voicemail> }>('/notifications', { schema: { tags: ['notifications'], body: Voicemail } }, async (request, reply) => {
    if (request.auth.via === 'session') requireAdmin(request);
    const row = await sendVoicemailNotification(ctx, request.auth.tenantId, request.body);
    const to = JSON.parse(row.to_numbers) as string[];
    return reply.status(202).send({ id: row.id, status: row.status, encoding: row.encoding, segments: row.segments, conversationId: row.conversation_id, from: row.from_number, to: to[0], body: row.body });
  });

  app.get('/settings/notification-template', { schema: { tags: ['notifications'] } }, async (request) => {
    requireAdmin(request);
    return getNotificationTemplate(ctx.db, request.auth.tenantId);
  });

  app.put<{ Body: Static<typeof Template> }>('/settings/notification-template', { schema: { tags: ['notifications'], body: Template } }, async (request) => {
    requireAdmin(request);
    checkTemplate(request.body.template);
    const current = await getNotificationTemplate(ctx.db, request.auth.tenantId);
    const next = { template: request.body.template, maxSegments: request.body.maxSegments ?? current.maxSegments };
    await writeTenantSetting(ctx.db, request.auth.tenantId, 'notificationTemplate', next);
    return next;
  });

  app.get('/settings/compliance', { schema: { tags: ['compliance'] } }, async (request) => {
    requireAdmin(request);
    return getComplianceSettings(ctx.db, request.auth.tenantId);
  });

  app.patch<{ Body: Static<typeof Compliance> }>('/settings/compliance', { schema: { tags: ['compliance'], body: Compliance } }, async (request) => {
    requireAdmin(request);
    const next = { ...(await getComplianceSettings(ctx.db, request.auth.tenantId)), ...request.body };
    await writeTenantSetting(ctx.db, request.auth.tenantId, 'compliance', next);
    return next;
  });

  /**
   * F8: a reply leaves from the number the conversation belongs to, to its remote numbers; in an
   * internal thread, from the caller's extension to the other extensions.
   */
  app.post<{ Params: { id: string }; Body: Static<typeof Reply> }>('/conversations/:id/messages', { schema: { tags: ['inbox'], body: Reply } }, async (request, reply) => {
    const { auth } = request;
    const conversation = await ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', auth.tenantId).where('id', '=', request.params.id).executeTakeFirst();
    const scope = await accessScope(ctx, auth);
    if (!conversation || !canSeeConversation(scope, conversation)) throw notFound('conversation', request.params.id);
    const remotes = JSON.parse(conversation.remote_numbers) as string[];
    let from = conversation.our_number;
    let to: string | string[] = remotes.length === 1 ? remotes[0]! : remotes;
    if (conversation.our_number === INTERNAL_NUMBER) {
      const me = auth.userId ? await ctx.db.selectFrom('users').select('extension').where('tenant_id', '=', auth.tenantId).where('id', '=', auth.userId).executeTakeFirst() : undefined;
      from = me?.extension ?? remotes[0]!;
      to = remotes.filter((ext) => ext !== from);
    }
    const idempotencyKey = typeof request.headers['idempotency-key'] === 'string' ? request.headers['idempotency-key'].slice(0, 200) : undefined;
    const { templateId, variables, caseId, documents, ...fields } = request.body;
    const input = await composeOutbound(ctx, { ...fields, from, to, tenantId: auth.tenantId, userId: auth.userId, idempotencyKey, auth }, { templateId, variables, caseId, documents });
    const row = await acceptMessage(ctx, input);
    return reply.status(202).send({ id: row.id, status: row.status, encoding: row.encoding, segments: row.segments, conversationId: row.conversation_id });
  });
}
