/** POST /media: upload a file for MMS (multipart) → {id, contentType, size}. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';

export async function mediaRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.post('/media', { schema: { tags: ['messages'], consumes: ['multipart/form-data'] } }, async (request, reply) => {
    if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'upload the file as multipart/form-data with one "file" field', { statusCode: 415 });
    const file = await request.file();
    if (!file) throw new AppError('validation_error', 'the upload has no file');
    const data = await file.toBuffer();
    if (file.file.truncated) throw new AppError('payload_too_large', 'the file is larger than 5 MB');
    const row = await ctx.media.save(request.auth.tenantId, file.mimetype, data);
    return reply.status(201).send({ id: row.id, contentType: row.content_type, size: row.size, url: ctx.media.signedUrl(row.id) });
  });
}
