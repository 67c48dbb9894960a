/** Serves the dashboard (web/dist) from the same origin, with client-side routing fallback. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { AppContext } from '../context.js';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export async function webRoutes(app: FastifyInstance, _opts: { ctx: AppContext }) {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    app.get('/', async () => ({ name: 'Switchboard', dashboard: 'not built (run npm run build:web)', api: '/api/v1', docs: '/docs' }));
    return;
  }
  await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false, index: ['index.html'] });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const url = request.url.split('?')[0]!;
    if (url.startsWith('/api/') || url.startsWith('/webhook/')) {
      return reply.status(404).send({ error: { code: 'not_found', message: `no route for ${request.method} ${url}` } });
    }
    const file = path.join(WEB_DIST, path.normalize(url).replace(/^(\.\.[/\\])+/, ''));
    if (file.startsWith(WEB_DIST) && fs.existsSync(file) && fs.statSync(file).isFile()) return reply.sendFile(path.relative(WEB_DIST, file));
    return reply.sendFile('index.html');
  });
}
