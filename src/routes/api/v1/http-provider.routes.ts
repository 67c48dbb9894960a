/**
 * "Try it" for the generic HTTP provider and its presets (F35):
 * POST /provider-types/:type/preview takes a draft configuration (and optionally an existing
 * account whose stored secrets fill the gaps) and returns the request Switchboard would send for
 * a sample message, and what a pasted sample webhook maps to. Nothing is sent.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { isHttpFamily, previewInbound, previewRequest, resolveConfig } from '../../../providers/http/http.preview.js';

const Preview = Type.Object(
  {
    credentials: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 10_000 }))),
    /** An existing account of this type: its stored credentials fill what the draft leaves out. */
    accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    baseUrl: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    sample: Type.Optional(
      Type.Object(
        {
          from: Type.Optional(Type.String({ maxLength: 40 })),
          to: Type.Optional(Type.String({ maxLength: 40 })),
          body: Type.Optional(Type.String({ maxLength: 1600 })),
          mediaUrls: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 10 })),
        },
        { additionalProperties: false },
      ),
    ),
    inbound: Type.Optional(
      Type.Object(
        {
          method: Type.Union([Type.Literal('POST'), Type.Literal('GET')]),
          contentType: Type.Optional(Type.String({ maxLength: 200 })),
          body: Type.Optional(Type.String({ maxLength: 64_000 })),
          query: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 2000 }))),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export async function httpProviderRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  /** The stored configuration of a generic HTTP account (not secret), so the dashboard can edit it. */
  app.get<{ Params: { id: string } }>('/provider-accounts/:id/http-config', { schema: { tags: ['providers'] } }, async (request) => {
    requireAdmin(request);
    const account = await ctx.accounts.get(request.auth.tenantId, request.params.id);
    if (account.type !== 'http') throw new AppError('validation_error', `account ${account.id} is a ${account.type} account; only http accounts have a request configuration`);
    const { config } = ctx.accounts.credentials(account);
    return { config: config ? (JSON.parse(config) as unknown) : null };
  });

  app.post<{ Params: { type: string }; Body: Static<typeof Preview> }>('/provider-types/:type/preview', { schema: { tags: ['providers'], body: Preview } }, async (request) => {
    requireAdmin(request);
    const { type } = request.params;
    if (!isHttpFamily(type)) throw new AppError('validation_error', `type "${type}" has no Try-it preview; it is not built on the generic HTTP provider`);
    let stored: Record<string, string> = {};
    let baseUrl = request.body.baseUrl ?? null;
    let webhookUrl = `${ctx.config.publicUrl}/webhook/${type}/sms/{account id}?token={token}`;
    if (request.body.accountId) {
      const account = await ctx.accounts.get(request.auth.tenantId, request.body.accountId);
      if (account.type !== type) throw new AppError('validation_error', `account ${account.id} is a ${account.type} account, not ${type}`);
      stored = ctx.accounts.credentials(account);
      baseUrl = request.body.baseUrl === undefined ? account.base_url : baseUrl;
      webhookUrl = ctx.accounts.webhookUrl(account);
    }
    const credentials = { ...stored, ...Object.fromEntries(Object.entries(request.body.credentials ?? {}).filter(([, v]) => v !== '')) };
    const resolved = resolveConfig(type, credentials);
    if (!resolved.ok) return { ok: false, error: resolved.error, request: null, inbound: null };
    const sample = request.body.sample ?? {};
    const outbound = await previewRequest(resolved.config, resolved.credentials, baseUrl, {
      id: 'msg_preview',
      from: sample.from || '+15005550006',
      to: [sample.to || '+15551234567'],
      body: sample.body ?? 'Hello from Switchboard',
      mediaUrls: sample.mediaUrls ?? [],
      statusCallbackUrl: webhookUrl,
    });
    const inbound = request.body.inbound ? previewInbound(resolved.config, request.body.inbound) : null;
    return { ok: true, error: null, request: outbound, inbound };
  });
}
