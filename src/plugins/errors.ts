/** One error handler: every failure becomes {"error":{"code","message"}}; 5xx details are hidden. */
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function describeValidation(part: string, errors: AjvError[]): string {
  const error = errors[0]!;
  const field = `${part}${error.instancePath.replace(/\//g, '.')}`;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${field} has an unknown field "${String(error.params.additionalProperty)}"`;
    case 'required':
      return `${field}.${String(error.params.missingProperty)} is required`;
    case 'type':
      return `${field} must be ${String(error.params.type)}`;
    case 'enum':
      return `${field} must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
  }
}

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_FILES_LIMIT: { status: 413, code: 'payload_too_large' },
};

export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError & { validationContext?: string }, request, reply) => {
      if (error instanceof AppError) {
        return reply.status(error.statusCode).headers(error.headers).send({ error: { code: error.code, message: error.message } });
      }
      if (error.validation) {
        const message = describeValidation(error.validationContext ?? 'body', error.validation as unknown as AjvError[]);
        return reply.status(400).send({ error: { code: 'validation_error', message } });
      }
      const known = error.code ? FASTIFY_CODES[error.code] : undefined;
      if (known) return reply.status(known.status).send({ error: { code: known.code, message: error.message } });
      // busboy's complaints about a body that is not valid multipart (no boundary, cut short).
      if (/^Multipart: |Unexpected end of (form|multipart data)|Malformed part header/.test(error.message ?? '')) {
        return reply.status(400).send({ error: { code: 'invalid_body', message: `the upload is not valid multipart/form-data: ${error.message}` } });
      }
      if (error instanceof SyntaxError || error.statusCode === 400) {
        return reply.status(400).send({ error: { code: 'invalid_body', message: error.message } });
      }
      if (error.statusCode === 429) {
        return reply.status(429).send({ error: { code: 'rate_limited', message: error.message || 'too many requests; slow down' } });
      }
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return reply.status(error.statusCode).send({ error: { code: 'bad_request', message: error.message } });
      }
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send({ error: { code: 'internal_error', message: 'something went wrong on our side; the error is logged' } });
    });
    app.setNotFoundHandler((request, reply) => {
      reply.status(404).send({ error: { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` } });
    });
  },
  { name: 'errors' },
);
