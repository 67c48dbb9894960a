/** Web Push for the dashboard (F10): the VAPID public key, this user's subscriptions and on/off switch. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import { AppError } from '../../../errors.js';
import { newId } from '../../../lib/ids.js';
import { isPushEnabled, loadVapidKeys, pushDb, sendPushToUsers } from '../../../services/push.js';

const Subscribe = Type.Object(
  {
    endpoint: Type.String({ minLength: 10, maxLength: 2000 }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object({ p256dh: Type.String({ minLength: 10, maxLength: 200 }), auth: Type.String({ minLength: 4, maxLength: 100 }) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
const Unsubscribe = Type.Object({ endpoint: Type.String({ minLength: 10, maxLength: 2000 }) }, { additionalProperties: false });
const Settings = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });

function sessionUser(request: FastifyRequest): string {
  if (!request.auth.userId) throw new AppError('validation_error', 'push notifications belong to a signed-in user, not an API key');
  return request.auth.userId;
}

export async function pushRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const db = pushDb(ctx.db);

  app.get('/push/vapid-public-key', { schema: { tags: ['push'] } }, async () => ({ publicKey: loadVapidKeys(ctx.config.dataDir).publicKey }));

  app.get('/push/settings', { schema: { tags: ['push'] } }, async (request) => {
    const userId = sessionUser(request);
    const user = await ctx.db.selectFrom('users').select(['settings']).where('id', '=', userId).executeTakeFirstOrThrow();
    const subscriptions = await db.selectFrom('push_subscriptions').select(['id', 'endpoint', 'user_agent', 'created_at', 'last_success_at', 'last_error']).where('user_id', '=', userId).orderBy('created_at').execute();
    return {
      enabled: isPushEnabled(user),
      subscriptions: subscriptions.map((s) => ({ id: s.id, endpoint: s.endpoint, userAgent: s.user_agent, createdAt: s.created_at, lastSuccessAt: s.last_success_at, lastError: s.last_error })),
    };
  });

  app.put<{ Body: Static<typeof Settings> }>('/push/settings', { schema: { tags: ['push'], body: Settings } }, async (request) => {
    const userId = sessionUser(request);
    const user = await ctx.db.selectFrom('users').select(['settings']).where('id', '=', userId).executeTakeFirstOrThrow();
    let settings: Record<string, unknown> = {};
    try {
      settings = JSON.parse(user.settings || '{}') as Record<string, unknown>;
    } catch {
      settings = {};
    }
    settings.pushEnabled = request.body.enabled;
    await ctx.db.updateTable('users').set({ settings: JSON.stringify(settings), updated_at: now() }).where('id', '=', userId).execute();
    return { enabled: request.body.enabled };
  });

  app.post<{ Body: Static<typeof Subscribe> }>('/push/subscriptions', { schema: { tags: ['push'], body: Subscribe } }, async (request, reply) => {
    const userId = sessionUser(request);
    let endpoint: URL;
    try {
      endpoint = new URL(request.body.endpoint);
    } catch {
      throw new AppError('validation_error', 'endpoint must be the https URL from PushManager.subscribe()');
    }
    if (endpoint.protocol !== 'https:') throw new AppError('validation_error', 'endpoint must be an https URL');
    const row = {
      id: newId('psub'),
      tenant_id: request.auth.tenantId,
      user_id: userId,
      endpoint: request.body.endpoint,
      p256dh: request.body.keys.p256dh,
      auth: request.body.keys.auth,
      user_agent: (request.headers['user-agent'] ?? '').slice(0, 300) || null,
      created_at: now(),
      last_success_at: null,
      last_error: null,
    };
    await db.transaction().execute(async (trx) => {
      // A browser re-subscribing replaces its own row; another organisation's row is never touched.
      const existing = await trx.selectFrom('push_subscriptions').select(['tenant_id']).where('endpoint', '=', row.endpoint).executeTakeFirst();
      if (existing && existing.tenant_id !== row.tenant_id) throw new AppError('conflict', 'this browser receives notifications for another organisation; turn them off there first');
      await trx.deleteFrom('push_subscriptions').where('tenant_id', '=', row.tenant_id).where('endpoint', '=', row.endpoint).execute();
      await trx.insertInto('push_subscriptions').values(row).execute();
    });
    ctx.hasPushSubscriptions.changed(row.tenant_id);
    return reply.status(201).send({ id: row.id });
  });

  app.delete<{ Body: Static<typeof Unsubscribe> }>('/push/subscriptions', { schema: { tags: ['push'], body: Unsubscribe } }, async (request, reply) => {
    const userId = sessionUser(request);
    await db.deleteFrom('push_subscriptions').where('tenant_id', '=', request.auth.tenantId).where('user_id', '=', userId).where('endpoint', '=', request.body.endpoint).execute();
    return reply.status(204).send();
  });

  /** Sends a test notification to every browser of the caller. */
  app.post('/push/test', { schema: { tags: ['push'] } }, async (request) => {
    const userId = sessionUser(request);
    return sendPushToUsers(ctx, request.auth.tenantId, [userId], { title: 'Switchboard', body: 'Notifications are working.', url: '/inbox', tag: 'test' });
  });
}
