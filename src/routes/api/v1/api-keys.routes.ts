/** Tenant API keys (F17): shown once at creation, stored hashed, with scopes. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { notFound } from '../../../errors.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { API_KEY_SCOPES, createApiKey } from '../../../services/tenants.js';
import type { ApiKeyShape } from '../../../lib/api-shapes.js';

const CreateKey = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), scopes: Type.Optional(Type.Array(Type.Union(API_KEY_SCOPES.map((s) => Type.Literal(s))), { minItems: 1, maxItems: 10 })) },
  { additionalProperties: false },
);

export async function apiKeyRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get('/api-keys', { schema: { tags: ['admin'] } }, async (request) => {
    requireAdmin(request);
    const rows = await ctx.db.selectFrom('api_keys').select(['id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at']).where('tenant_id', '=', request.auth.tenantId).orderBy('created_at').execute();
    return { items: rows.map((row): Static<typeof ApiKeyShape> => ({ id: row.id, name: row.name, prefix: `sb_${row.prefix}_`, scopes: JSON.parse(row.scopes) as string[], createdAt: row.created_at })), nextCursor: null };
  });

  app.post<{ Body: Static<typeof CreateKey> }>('/api-keys', { schema: { tags: ['admin'], body: CreateKey } }, async (request, reply) => {
    requireAdmin(request);
    // A key made with a key inherits that key's creator; it never acts above its maker.
    const key = await createApiKey(ctx.db, request.auth.tenantId, request.body.name, request.body.scopes ?? ['*'], { userId: request.auth.userId ?? request.auth.actingUserId, role: request.auth.role });
    return reply.status(201).send(key);
  });

  app.delete<{ Params: { id: string } }>('/api-keys/:id', { schema: { tags: ['admin'] } }, async (request, reply) => {
    requireAdmin(request);
    const revoked = await ctx.db.deleteFrom('api_keys').where('tenant_id', '=', request.auth.tenantId).where('id', '=', request.params.id).returning('key_hash').executeTakeFirst();
    if (!revoked) throw notFound('API key', request.params.id);
    ctx.apiKeys.changed(revoked.key_hash);
    return reply.status(204).send();
  });
}
