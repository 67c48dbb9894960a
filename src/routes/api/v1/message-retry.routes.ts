/** POST /messages/:id/retry: sends a failed outbound message again as a new message (same from, to, body, media). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { AppError, notFound } from '../../../errors.js';
import { visibleNumberIds } from '../../../services/access.js';
import { acceptMessage } from '../../../services/send-message.js';

const RETRYABLE = new Set(['failed', 'undelivered']);

export async function messageRetryRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.post<{ Params: { id: string } }>('/messages/:id/retry', { schema: { tags: ['messages'] } }, async (request, reply) => {
    const original = await ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', request.auth.tenantId).where('id', '=', request.params.id).executeTakeFirst();
    const visible = await visibleNumberIds(ctx, request.auth);
    if (!original || (visible && !visible.includes(original.number_id ?? ''))) throw notFound('message', request.params.id);
    if (original.direction !== 'outbound') throw new AppError('validation_error', `message ${original.id} is inbound; only outbound messages can be re-sent`);
    // A send whose outcome is unknown may be re-sent by a person who checked it did not arrive.
    const unknownOutcome = original.status === 'sending' && original.error_code === 'outcome_unknown';
    if (!RETRYABLE.has(original.status) && !unknownOutcome) throw new AppError('conflict', `message ${original.id} is ${original.status}; only failed or undelivered messages, or sends with an unknown outcome, can be re-sent`);
    const media = await ctx.db.selectFrom('media').select(['id', 'storage_key', 'source_url']).where('message_id', '=', original.id).orderBy('created_at').execute();
    const to = JSON.parse(original.to_numbers) as string[];
    const row = await acceptMessage(ctx, {
      tenantId: request.auth.tenantId,
      userId: request.auth.userId,
      auth: request.auth,
      from: original.from_number,
      to: to.length === 1 ? to[0]! : to,
      body: original.body,
      media: media.map((item) => (item.storage_key ? { id: item.id } : { url: item.source_url ?? '' })),
    });
    return reply.status(202).send({ id: row.id, status: row.status, encoding: row.encoding, segments: row.segments, conversationId: row.conversation_id, retryOf: original.id });
  });
}
