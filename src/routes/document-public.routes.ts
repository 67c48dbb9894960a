/** GET /d/:code — a document sent as a link (F20); the first open goes into the message's history. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { openDocument } from '../services/documents.js';

export async function documentPublicRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get<{ Params: { code: string } }>(
    '/d/:code',
    { schema: { hide: true, params: { type: 'object', properties: { code: { type: 'string', pattern: '^[A-Za-z0-9_-]{12}$' } }, required: ['code'] } }, config: { rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const document = await openDocument(ctx, request.params.code, { record: request.method !== 'HEAD' });
      // The file is the sender's, not ours: never let a browser run it as a page of this origin.
      reply
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .header('content-disposition', `inline; filename="${document.filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(document.filename)}`)
        .type(document.content_type);
      return reply.send(Buffer.from(document.data));
    },
  );
}
