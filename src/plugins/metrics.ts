/** Prometheus metrics at /metrics: HTTP requests by route and status, plus process defaults. */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { safeEqual } from '../lib/crypto.js';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { AppContext } from '../context.js';

export const metricsPlugin = fp(
  async (app: FastifyInstance, { ctx }: { ctx: AppContext }) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const requests = new Counter({ name: 'switchboard_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [registry] });
    const duration = new Histogram({ name: 'switchboard_http_request_seconds', help: 'HTTP request duration', labelNames: ['route'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] });
    const webhooks = new Counter({ name: 'switchboard_webhooks_total', help: 'Provider webhooks by verdict', labelNames: ['provider', 'verdict'], registers: [registry] });
    app.decorate('webhookCounter', webhooks);
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      requests.inc({ method: request.method, route, status: reply.statusCode });
      duration.observe({ route }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      const token = ctx.config.metricsToken;
      if (token && !safeEqual(request.headers.authorization ?? '', `Bearer ${token}`)) {
        return reply.status(401).send({ error: { code: 'unauthorized', message: '/metrics needs "Authorization: Bearer <METRICS_TOKEN>"' } });
      }
      const jobs = await ctx.db.selectFrom('jobs').select((eb) => [eb.fn.countAll<number>().as('n')]).where('dead', '=', 0).executeTakeFirstOrThrow();
      reply.type(registry.contentType);
      return (await registry.metrics()) + `# HELP switchboard_jobs_pending Jobs waiting or running\n# TYPE switchboard_jobs_pending gauge\nswitchboard_jobs_pending ${Number(jobs.n)}\n`;
    });
  },
  { name: 'metrics' },
);

declare module 'fastify' {
  interface FastifyInstance {
    webhookCounter: Counter<'provider' | 'verdict'>;
  }
}
