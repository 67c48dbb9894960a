/** POST /sandbox/inbound (F30): a virtual handset texts one of our sandbox numbers. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { visibleNumberIds } from '../../../services/access.js';
import { AppError } from '../../../errors.js';
import { requireE164, toE164 } from '../../../lib/phone.js';
import type { SandboxAdapter } from '../../../providers/sandbox/sandbox.provider.js';

const MediaItem = Type.Union([
  Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$', description: 'an http(s) URL' }), contentType: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
  Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
]);
const Inbound = Type.Object(
  { from: Type.String({ minLength: 3, maxLength: 40 }), to: Type.String({ minLength: 2, maxLength: 40 }), body: Type.Optional(Type.String({ maxLength: 1600 })), media: Type.Optional(Type.Array(MediaItem, { maxItems: 10 })) },
  { additionalProperties: false },
);

export async function sandboxRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.post<{ Body: Static<typeof Inbound> }>('/sandbox/inbound', { schema: { tags: ['sandbox'], body: Inbound } }, async (request, reply) => {
    const { tenantId } = request.auth;
    const from = requireE164('from', request.body.from, ctx.config.defaultCountry);
    const to = toE164(request.body.to, ctx.config.defaultCountry) ?? request.body.to;
    const number = await ctx.db
      .selectFrom('numbers')
      .innerJoin('provider_accounts', 'provider_accounts.id', 'numbers.provider_account_id')
      .select(['numbers.id', 'numbers.provider_account_id', 'provider_accounts.type'])
      .where('numbers.tenant_id', '=', tenantId)
      .where('numbers.number', '=', to)
      .executeTakeFirst();
    if (!number) throw new AppError('unknown_number', `to "${request.body.to}" is not a number of this tenant`);
    const visible = await visibleNumberIds(ctx, request.auth);
    if (visible && !visible.includes(number.id)) throw new AppError('forbidden', `${to} is not routed to you, so you cannot text it from the sandbox`, { statusCode: 403 });
    if (number.type !== 'sandbox') throw new AppError('validation_error', `${to} uses ${number.type}; the sandbox can only text sandbox numbers`);
    const media = [];
    for (const [index, item] of (request.body.media ?? []).entries()) {
      if ('id' in item) {
        const row = await ctx.db.selectFrom('media').select(['id', 'content_type']).where('tenant_id', '=', tenantId).where('id', '=', item.id).executeTakeFirst();
        if (!row) throw new AppError('invalid_media', `media[${index}].id "${item.id}" is not an uploaded file of this tenant`);
        media.push({ url: ctx.media.signedUrl(row.id), contentType: row.content_type });
      } else {
        media.push(item);
      }
    }
    if (!request.body.body && media.length === 0) throw new AppError('validation_error', 'a message needs a body or media');
    const account = await ctx.accounts.get(tenantId, number.provider_account_id);
    const adapter = ctx.accounts.adapter(account) as SandboxAdapter;
    const providerMessageId = await adapter.injectInbound({ from, to, body: request.body.body ?? '', media });
    const message = await ctx.db.selectFrom('messages').select(['id', 'conversation_id']).where('provider_account_id', '=', account.id).where('provider_message_id', '=', providerMessageId).executeTakeFirstOrThrow();
    return reply.status(202).send({ id: message.id, conversationId: message.conversation_id, status: 'received' });
  });
}
