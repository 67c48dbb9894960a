/** Issue 9 resources: tenant settings, templates, cases, documents and the audit log. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { auditLogRoutes } from './audit-log.routes.js';
import { caseRoutes } from './cases.routes.js';
import { documentRoutes } from './documents.routes.js';
import { templateRoutes } from './templates.routes.js';
import { tenantRoutes } from './tenant.routes.js';

export async function automationRoutes(app: FastifyInstance, opts: { ctx: AppContext }) {
  for (const routes of [tenantRoutes, templateRoutes, caseRoutes, documentRoutes, auditLogRoutes]) await app.register(routes, opts);
}
