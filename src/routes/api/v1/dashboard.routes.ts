/** Routes the web dashboard added: Web Push, statistics, re-send of failed messages. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { messageRetryRoutes } from './message-retry.routes.js';
import { pushRoutes } from './push.routes.js';
import { statsRoutes } from './stats.routes.js';

export async function dashboardRoutes(app: FastifyInstance, opts: { ctx: AppContext }) {
  for (const routes of [pushRoutes, statsRoutes, messageRetryRoutes]) await app.register(routes, opts);
}
