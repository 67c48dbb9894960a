/** Provider accounts (F6), their webhook URLs and the Test action; provider types. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import type { ProviderAccountTable } from '../../../db/schema.js';
import { AppError } from '../../../errors.js';
import { requireE164 } from '../../../lib/phone.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { baseUrlEnvName, envName } from '../../../providers/core/credentials.js';
import { ProviderError } from '../../../providers/core/errors.js';
import { PrivateAddressError } from '../../../lib/net-guard.js';

/**
 * A tenant admin must not point a carrier base URL at the operator's internal network (issue 10,
 * item 12): private and loopback targets need ALLOW_PRIVATE_URLS. Names that do not resolve now
 * are accepted; every connection is checked again when it is made.
 */
async function assertBaseUrlAllowed(ctx: AppContext, baseUrl: string): Promise<void> {
  try {
    await ctx.net.checkUrl(baseUrl);
  } catch (error) {
    if (error instanceof PrivateAddressError) {
      throw new AppError('private_url', `baseUrl ${baseUrl} points at ${error.address}, a private or loopback address; the operator must allow it with ALLOW_PRIVATE_URLS`, { statusCode: 400 });
    }
    if (/only http and https|is not a URL/.test((error as Error).message)) throw new AppError('validation_error', `baseUrl: ${(error as Error).message}`);
  }
}
import { PROVIDERS } from '../../../providers/core/registry.js';
import type { SessionState } from '../../../providers/core/types.js';
import { isHttpFamily } from '../../../providers/http/http.preview.js';
import type { ProviderAccountShape } from '../../../lib/api-shapes.js';

const Credentials = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 10_000 }));
const CreateAccount = Type.Object(
  { type: Type.String({ minLength: 1, maxLength: 40 }), name: Type.String({ minLength: 1, maxLength: 200 }), credentials: Credentials, baseUrl: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])) },
  { additionalProperties: false },
);
const UpdateAccount = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), credentials: Type.Optional(Credentials), baseUrl: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])) },
  { additionalProperties: false },
);
const TestSend = Type.Object({ to: Type.String({ minLength: 3, maxLength: 40 }), from: Type.Optional(Type.String({ maxLength: 40 })), body: Type.Optional(Type.String({ maxLength: 1600 })) }, { additionalProperties: false });

export async function providerAccountRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const serialize = (account: ProviderAccountTable, session: SessionState | null = null): Static<typeof ProviderAccountShape> => ({
    id: account.id,
    type: account.type,
    name: account.name,
    baseUrl: account.base_url,
    source: account.source,
    // Inbound messages and delivery receipts both arrive here (F2).
    webhookUrls: { inbound: ctx.accounts.webhookUrl(account), status: ctx.accounts.webhookUrl(account) },
    credentialKeys: Object.keys(ctx.accounts.credentials(account)),
    createdAt: account.created_at,
    updatedAt: account.updated_at,
    // Session-based types (SMPP): bound / binding / disconnected with the last error; null otherwise.
    session,
  });
  const withSession = async (account: ProviderAccountTable) => {
    const host = ctx.sessions.host(account.type);
    if (!host) return serialize(account);
    // No node has taken the account yet (just created or changed): binding, not "no session", so
    // the dashboard never offers webhook URLs for a carrier that refuses webhooks.
    return serialize(account, (await host.state(account.id)) ?? { state: 'binding', lastError: null, since: account.updated_at, node: null });
  };

  app.get('/provider-types', { schema: { tags: ['providers'] } }, async () => ({
    items: [...PROVIDERS.values()].map(({ manifest }) => ({
      type: manifest.type,
      displayName: manifest.displayName,
      logoText: manifest.logoText ?? null,
      // Built on the generic HTTP provider: POST /provider-types/:type/preview works for it.
      tryIt: isHttpFamily(manifest.type),
      docsUrl: manifest.docsUrl,
      defaultBaseUrl: manifest.defaultBaseUrl,
      capabilities: manifest.capabilities,
      credentials: manifest.credentials.map((field) => ({ ...field, env: envName(manifest.envPrefix, field.key) })),
      baseUrlEnv: baseUrlEnvName(manifest),
    })),
    nextCursor: null,
  }));

  app.get('/provider-accounts', { schema: { tags: ['providers'] } }, async (request) => {
    requireAdmin(request);
    return { items: await Promise.all((await ctx.accounts.list(request.auth.tenantId)).map(withSession)), nextCursor: null };
  });

  app.post<{ Body: Static<typeof CreateAccount> }>('/provider-accounts', { schema: { tags: ['providers'], body: CreateAccount } }, async (request, reply) => {
    requireAdmin(request);
    if (request.body.baseUrl) await assertBaseUrlAllowed(ctx, request.body.baseUrl);
    return reply.status(201).send(await withSession(await ctx.accounts.create(request.auth.tenantId, request.body)));
  });

  app.get<{ Params: { id: string } }>('/provider-accounts/:id', { schema: { tags: ['providers'] } }, async (request) => {
    requireAdmin(request);
    return withSession(await ctx.accounts.get(request.auth.tenantId, request.params.id));
  });

  app.patch<{ Params: { id: string }; Body: Static<typeof UpdateAccount> }>('/provider-accounts/:id', { schema: { tags: ['providers'], body: UpdateAccount } }, async (request) => {
    requireAdmin(request);
    if (request.body.baseUrl) await assertBaseUrlAllowed(ctx, request.body.baseUrl);
    return withSession(await ctx.accounts.update(request.auth.tenantId, request.params.id, request.body));
  });

  app.delete<{ Params: { id: string } }>('/provider-accounts/:id', { schema: { tags: ['providers'] } }, async (request, reply) => {
    requireAdmin(request);
    await ctx.accounts.remove(request.auth.tenantId, request.params.id);
    return reply.status(204).send();
  });

  /** Sends one message straight through the provider (not the queue) and reports its answer. */
  app.post<{ Params: { id: string }; Body: Static<typeof TestSend> }>('/provider-accounts/:id/test', { schema: { tags: ['providers'], body: TestSend } }, async (request) => {
    requireAdmin(request);
    const account = await ctx.accounts.get(request.auth.tenantId, request.params.id);
    const to = requireE164('to', request.body.to, ctx.config.defaultCountry);
    // A phone number is read like "to"; anything else is an alphanumeric sender ID.
    let from = request.body.from?.trim() ? (/^[\d\s()+.-]+$/.test(request.body.from) ? requireE164('from', request.body.from, ctx.config.defaultCountry) : request.body.from.trim()) : null;
    if (!from) {
      const number = await ctx.db.selectFrom('numbers').select('number').where('tenant_id', '=', request.auth.tenantId).where('provider_account_id', '=', account.id).executeTakeFirst();
      if (!number) throw new AppError('validation_error', 'from is required: this account has no number yet, so type the number (or sender ID) to send from, or add one in Admin → Numbers');
      from = number.number;
    }
    try {
      const result = await ctx.accounts.adapter(account).send({
        id: `test-${Date.now()}`,
        from,
        to: [to],
        body: request.body.body ?? 'Switchboard test message',
        mediaUrls: [],
        statusCallbackUrl: ctx.accounts.webhookUrl(account),
      });
      return { ok: true, providerMessageId: result.providerMessageId, status: result.status ?? null, providerResponse: result.raw ?? null };
    } catch (error) {
      if (error instanceof ProviderError) {
        return { ok: false, error: { code: error.code, kind: error.kind, message: error.message, httpStatus: error.details.httpStatus ?? null } };
      }
      throw error;
    }
  });
}
