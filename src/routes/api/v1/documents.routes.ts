/** POST /documents: upload a document to send as a link (F20), multipart with one "file" field. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { requireScope } from '../../../plugins/auth.js';
import { MAX_DOCUMENT_BYTES, saveDocument } from '../../../services/documents.js';

export async function documentRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.post('/documents', { schema: { tags: ['messages'], consumes: ['multipart/form-data'] } }, async (request, reply) => {
    requireScope(request, 'messages:send');
    if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'upload the document as multipart/form-data with one "file" field', { statusCode: 415 });
    const file = await request.file();
    if (!file) throw new AppError('validation_error', 'the upload has no file');
    const data = await file.toBuffer();
    if (file.file.truncated) throw new AppError('payload_too_large', `the document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    const row = await saveDocument(ctx, { tenantId: request.auth.tenantId, userId: request.auth.userId, filename: file.filename, contentType: file.mimetype, data });
    return reply.status(201).send({ id: row.id, filename: row.filename, contentType: row.content_type, size: row.size });
  });
}
