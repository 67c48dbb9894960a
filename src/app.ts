/**
 * The HTTP app as one Fastify instance built from an AppContext. server.ts listens; tests use
 * app.inject(). Webhooks get their own raw-body parser; the API speaks JSON.
 */
import fs from 'node:fs';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { apiShapes } from './lib/api-shapes.js';
import type { AppContext } from './context.js';
import { authPlugin } from './plugins/auth.js';
import { errorsPlugin } from './plugins/errors.js';
import { requestValidatorCompiler } from './plugins/validators.js';
import { AppError } from './errors.js';
import { containsNul } from './services/inbound-shape.js';
import { metricsPlugin } from './plugins/metrics.js';
import { addSecurityHeaders } from './plugins/security-headers.js';
import { apiRoutes } from './routes/api/v1/index.js';
import { healthRoutes } from './routes/health.routes.js';
import { mediaPublicRoutes } from './routes/media-public.routes.js';
import { documentPublicRoutes } from './routes/document-public.routes.js';
import { webhookRoutes } from './routes/webhooks/webhooks.routes.js';
import { webRoutes } from './routes/web.routes.js';

export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  // TLS_CERT is the full chain (leaf first), as carriers that insist on trusted certificates need (F33).
  const tls = ctx.config.tlsCert && ctx.config.tlsKey ? { https: { cert: fs.readFileSync(ctx.config.tlsCert), key: fs.readFileSync(ctx.config.tlsKey) } } : {};
  const app = Fastify({
    ...(tls as object),
    loggerInstance: ctx.log as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.bodyLimit,
    // Forwarded headers are believed only from the reverse proxies the operator names.
    trustProxy: ctx.config.trustProxy.length > 0 ? [...ctx.config.trustProxy] : false,
  });

  app.setValidatorCompiler(requestValidatorCompiler());

  await app.register(errorsPlugin);
  // NUL is valid JSON but no database column takes it (PostgreSQL refuses it): a 400 at the edge.
  app.addHook('preValidation', async (request) => {
    const body = Buffer.isBuffer(request.body) ? undefined : request.body;
    if (containsNul([request.params, request.query, body])) {
      throw new AppError('invalid_character', 'the request contains a NUL character (\\u0000), which no field accepts', { statusCode: 400 });
    }
  });
  await app.register(cookie);
  addSecurityHeaders(app, ctx.config.publicUrl);
  await app.register(rateLimit, { global: false });
  await app.register(multipart, { limits: { fileSize: 5 * 1024 * 1024, files: 1 } });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Switchboard API', version: '1.0.0', description: 'Business SMS/MMS hub. Authenticate with `Authorization: Bearer <api key>`.' },
      // The response shapes (src/lib/api-shapes.ts) as named components; not route response schemas, which would filter fields.
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } }, schemas: apiShapes },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(metricsPlugin, { ctx });
  await app.register(healthRoutes, { ctx });
  await app.register(mediaPublicRoutes, { ctx });
  await app.register(documentPublicRoutes, { ctx });
  await app.register(webhookRoutes, { ctx, prefix: '/webhook' });
  await app.register(
    async (api) => {
      // The API speaks JSON (and multipart for uploads); anything else is a 415.
      api.removeContentTypeParser('text/plain');
      await api.register(authPlugin, { ctx });
      await api.register(apiRoutes, { ctx });
    },
    { prefix: '/api/v1' },
  );
  await app.register(webRoutes, { ctx });

  // The sandbox carrier posts its callbacks through our own webhook route, in-process.
  ctx.loopback = async (path, body, headers) => {
    const response = await app.inject({ method: 'POST', url: path, payload: body, headers });
    if (response.statusCode >= 300) throw new Error(`sandbox webhook answered ${response.statusCode}: ${response.body}`);
  };
  return app;
}
