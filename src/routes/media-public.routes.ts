/** GET /media/:id?expires&sig — signed, expiring media URLs that providers fetch (F5). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';

export async function mediaPublicRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get<{ Params: { id: string }; Querystring: { expires?: string; sig?: string } }>(
    '/media/:id',
    { schema: { hide: true } },
    async (request, reply) => {
      const { id } = request.params;
      if (!ctx.media.isValidSignature(id, request.query.expires ?? '', request.query.sig ?? '')) {
        throw new AppError('forbidden', 'the media link is invalid or has expired');
      }
      const row = await ctx.db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || !row.storage_key) throw new AppError('not_found', `media ${id} was not found`);
      const media = await ctx.media.read(row);
      reply.header('cache-control', 'private, max-age=3600').header('x-content-type-options', 'nosniff').type(media.contentType);
      return reply.send(media.data);
    },
  );
}
