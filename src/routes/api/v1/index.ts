/** Every /api/v1 resource. New resources register here. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { apiKeyRoutes } from './api-keys.routes.js';
import { authRoutes } from './auth.routes.js';
import { conversationRoutes } from './conversations.routes.js';
import { conversationStatusRoutes } from './conversation-status.routes.js';
import { eventRoutes } from './events.routes.js';
import { noteRoutes } from './notes.routes.js';
import { mediaRoutes } from './media.routes.js';
import { messageRoutes } from './messages.routes.js';
import { numberRoutes } from './numbers.routes.js';
import { providerAccountRoutes } from './provider-accounts.routes.js';
import { sandboxRoutes } from './sandbox.routes.js';
import { userRoutes } from './users.routes.js';
import { webhookLogRoutes } from './webhook-log.routes.js';
import { dashboardRoutes } from './dashboard.routes.js';
import { routingRoutes } from './routing.routes.js';
import { automationRoutes } from './automation.routes.js';
import { auditHooksPlugin } from '../../../plugins/audit-hooks.js';
import { httpProviderRoutes } from './http-provider.routes.js';
import { eventWebhookRoutes } from './event-webhooks.routes.js';
import { workflowRoutes } from './workflows.routes.js';
import { labelRoutes } from './labels.routes.js';

export async function apiRoutes(app: FastifyInstance, opts: { ctx: AppContext }) {
  await app.register(auditHooksPlugin, opts);
  for (const routes of [authRoutes, userRoutes, apiKeyRoutes, providerAccountRoutes, numberRoutes, messageRoutes, conversationStatusRoutes, conversationRoutes, eventRoutes, mediaRoutes, sandboxRoutes, webhookLogRoutes]) {
    await app.register(routes, opts);
  }
  await app.register(dashboardRoutes, opts);
  await app.register(routingRoutes, opts);
  await app.register(automationRoutes, opts);
  await app.register(httpProviderRoutes, opts);
  await app.register(eventWebhookRoutes, opts);
  await app.register(workflowRoutes, opts);
  await app.register(labelRoutes, opts);
  await app.register(noteRoutes, opts);
}
