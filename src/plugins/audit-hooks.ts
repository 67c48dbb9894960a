/**
 * Audit of admin routes (F29) in one place: a successful write to provider accounts, numbers,
 * users (and roles), groups, API keys, opt-outs or the compliance/notification settings is
 * recorded with the caller, address, target and the requested change (secrets redacted), plus
 * the target's previous state for updates and deletions. Routes with their own audit calls
 * (templates, tenant settings, workflows, webhooks) are not listed here. The entry is written
 * after the route's own transaction, before the answer is sent: a crash between the two can
 * lose an entry, never invent one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AppContext } from '../context.js';
import { auditSource, recordAudit } from '../services/audit.js';

interface AuditedRoute {
  type: string;
  /** The table the target lives in, to snapshot it before an update or deletion. */
  table?: 'provider_accounts' | 'numbers' | 'users' | 'api_keys';
  /** Columns never copied into the log, even redacted. */
  omit?: string[];
  label?: string;
}

const ROUTES: Record<string, AuditedRoute> = {
  '/api/v1/provider-accounts': { type: 'provider_account', table: 'provider_accounts', omit: ['credentials', 'webhook_token'], label: 'name' },
  '/api/v1/provider-accounts/:id': { type: 'provider_account', table: 'provider_accounts', omit: ['credentials', 'webhook_token'], label: 'name' },
  '/api/v1/numbers': { type: 'number', table: 'numbers', omit: ['next_send_at'], label: 'number' },
  '/api/v1/numbers/:id': { type: 'number', table: 'numbers', omit: ['next_send_at'], label: 'number' },
  '/api/v1/users': { type: 'user', table: 'users', omit: ['password_hash', 'settings'], label: 'email' },
  '/api/v1/users/:id': { type: 'user', table: 'users', omit: ['password_hash', 'settings'], label: 'email' },
  '/api/v1/api-keys': { type: 'api_key', table: 'api_keys', omit: ['key_hash'], label: 'name' },
  '/api/v1/api-keys/:id': { type: 'api_key', table: 'api_keys', omit: ['key_hash'], label: 'name' },
  '/api/v1/groups': { type: 'group', label: 'name' },
  '/api/v1/groups/:id': { type: 'group', label: 'name' },
  '/api/v1/labels': { type: 'label', label: 'name' },
  '/api/v1/labels/:id': { type: 'label', label: 'name' },
  '/api/v1/opt-outs': { type: 'opt_out', label: 'phone' },
  '/api/v1/opt-outs/:id': { type: 'opt_out', label: 'phone' },
  '/api/v1/settings/compliance': { type: 'tenant_setting' },
  '/api/v1/settings/notification-template': { type: 'tenant_setting' },
};
const VERB: Record<string, string> = { POST: 'created', PATCH: 'updated', PUT: 'updated', DELETE: 'deleted' };

declare module 'fastify' {
  interface FastifyRequest {
    auditBefore?: Record<string, unknown> | null;
  }
}

function auditedRoute(request: FastifyRequest): AuditedRoute | undefined {
  if (!VERB[request.method]) return undefined;
  return ROUTES[request.routeOptions.url ?? ''];
}

function paramId(request: FastifyRequest): string | null {
  const id = (request.params as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : null;
}

function without(row: Record<string, unknown>, omit: string[] = []): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([key]) => !omit.includes(key)));
}

export const auditHooksPlugin = fp(
  async (app: FastifyInstance, { ctx }: { ctx: AppContext }) => {
    // Runs after the auth hook: remembers the target as it was, for updates and deletions.
    app.addHook('preHandler', async (request) => {
      const route = auditedRoute(request);
      const id = paramId(request);
      if (!route?.table || !id || !request.auth || request.method === 'POST') return;
      const row = await ctx.db.selectFrom(route.table).selectAll().where('tenant_id', '=', request.auth.tenantId).where('id', '=', id).executeTakeFirst();
      request.auditBefore = row ? without(row as unknown as Record<string, unknown>, route.omit) : null;
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const route = auditedRoute(request);
      if (!route || !request.auth || reply.statusCode >= 300) return payload;
      let response: Record<string, unknown> = {};
      if (typeof payload === 'string' && payload.startsWith('{')) {
        try {
          response = JSON.parse(payload) as Record<string, unknown>;
        } catch {
          response = {};
        }
      }
      const before = request.auditBefore ?? null;
      const id = paramId(request) ?? (typeof response.id === 'string' ? response.id : null);
      const labelKey = route.label;
      const label = labelKey ? ((response[labelKey] ?? before?.[labelKey] ?? null) as string | null) : null;
      const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : null;
      await recordAudit(ctx.db, {
        ...auditSource(request),
        action: `${route.type}.${VERB[request.method]}`,
        target: { type: route.type, id, label: typeof label === 'string' ? label : null },
        changes: { ...(body ? { request: body } : {}), ...(before ? { before } : {}) },
      });
      return payload;
    });
  },
  { name: 'audit-hooks' },
);
