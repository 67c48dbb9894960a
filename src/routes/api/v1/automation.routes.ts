/** Issue 9 resources: tenant settings, templates, cases, documents and the audit log. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { templateRoutes } from './templates.routes.js';
import { tenantRoutes } from './tenant.routes.js';

export async function automationRoutes(app: FastifyInstance, opts: { ctx: AppContext }) {
  for (const routes of [tenantRoutes, templateRoutes]) await app.register(routes, opts);
}
