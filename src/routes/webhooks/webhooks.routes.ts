/**
 * POST|GET /webhook/:provider/sms[/:accountId] (F2). Raw bytes are kept for signature checks;
 * the domain work is in services/ingest-webhook.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { ingestWebhook } from '../../services/ingest-webhook.js';
import { providerModule } from '../../providers/core/registry.js';

export async function webhookRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const handle = async (request: FastifyRequest<{ Params: { provider: string; accountId?: string }; Querystring: Record<string, string> }>, reply: FastifyReply) => {
    const outcome = await ingestWebhook(ctx, {
      type: request.params.provider,
      accountId: request.params.accountId,
      remoteIp: request.ip,
      request: {
        method: request.method,
        url: ctx.config.publicUrl + request.url,
        headers: request.headers,
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        query: request.query ?? {},
      },
    });
    // Unknown provider names share one series: a scan of made-up names cannot grow /metrics.
    app.webhookCounter.inc({ provider: providerModule(request.params.provider) ? request.params.provider : 'unknown', verdict: outcome.verdict });
    return reply.status(outcome.httpStatus).type(outcome.contentType).send(outcome.body);
  };
  const schema = { hide: true };
  app.post('/:provider/sms', { schema }, handle);
  app.post('/:provider/sms/:accountId', { schema }, handle);
  // Some providers (VoIP.ms, Plivo, Vonage legacy) can be set to call with GET.
  app.get('/:provider/sms', { schema }, handle);
  app.get('/:provider/sms/:accountId', { schema }, handle);
}
