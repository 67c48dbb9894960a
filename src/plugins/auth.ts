/**
 * Who is calling: a dashboard session (HttpOnly cookie + CSRF token on writes) or a tenant API
 * key (Bearer). Every /api/v1 route except sign-in requires one; handlers read request.auth.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AppContext } from '../context.js';
import { now } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import { AppError } from '../errors.js';
import { randomToken, safeEqual, sha256Hex } from '../lib/crypto.js';
import { scopeForRoute, type ApiScope } from './route-scopes.js';
import { userRoleKey } from '../services/auth-lookups.js';

export interface Auth {
  tenantId: string;
  /** The signed-in user (sessions only). */
  userId: string | null;
  /** For API keys: the user whose role the key acts with (its creator); null for CLI keys. */
  actingUserId: string | null;
  role: 'owner' | 'admin' | 'agent';
  via: 'session' | 'apikey';
  apiKeyId: string | null;
  scopes: readonly string[];
  csrfToken: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth;
  }
  interface FastifyContextConfig {
    /** Routes that need no caller (sign-in, first run). */
    public?: boolean;
    /** The API-key scope the route needs; defaults come from plugins/route-scopes.ts. */
    scope?: ApiScope;
  }
}

export const SESSION_COOKIE = 'sb_session';
const SESSION_DAYS = 14;

/** Read on every dashboard request. */
const sessionById = prepared<{ id: string }>()((db, p) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id', 'sessions.tenant_id', 'sessions.user_id', 'sessions.csrf_token', 'sessions.expires_at', 'sessions.last_seen_at', 'sessions.created_at', 'users.role'])
    .where('sessions.id', '=', p.id),
);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function startSession(ctx: AppContext, reply: FastifyReply, user: { id: string; tenant_id: string }): Promise<string> {
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  await ctx.db
    .insertInto('sessions')
    .values({ id: sha256Hex(token), tenant_id: user.tenant_id, user_id: user.id, csrf_token: csrfToken, expires_at: new Date(Date.now() + SESSION_DAYS * 86_400_000).toISOString(), created_at: now(), last_seen_at: now() })
    .execute();
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.publicUrl.startsWith('https:'),
    maxAge: SESSION_DAYS * 86_400,
  });
  return csrfToken;
}

export async function endSession(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = request.cookies[SESSION_COOKIE];
  if (token) await ctx.db.deleteFrom('sessions').where('id', '=', sha256Hex(token)).execute();
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<Auth | null> {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('unauthorized', 'Authorization must be "Bearer <api key>"');
    const key = await ctx.apiKeys.get(sha256Hex(match[1]!));
    if (!key) throw new AppError('unauthorized', 'the API key is not valid (revoked or mistyped)');
    const creatorRole = key.createdBy ? await ctx.userRoles.get(userRoleKey(key.tenantId, key.createdBy)) : null;
    if (key.createdBy && !creatorRole) throw new AppError('unauthorized', 'the person who created this API key was removed, so the key no longer works');
    // The creator's current role, never above admin: demoting a person demotes their keys.
    const role = creatorRole === 'agent' ? 'agent' : 'admin';
    return { tenantId: key.tenantId, userId: null, actingUserId: key.createdBy, role, via: 'apikey', apiKeyId: key.id, scopes: key.scopes, csrfToken: null };
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return null;
  const session = await sessionById.first(ctx.db, { id: sha256Hex(token) });
  if (!session || session.expires_at < now()) return null;
  const lastSeen = Date.parse(session.last_seen_at ?? session.created_at);
  const idleMs = ctx.config.retention.sessionIdleMinutes * 60_000;
  if (Date.now() - lastSeen > idleMs) {
    await ctx.db.deleteFrom('sessions').where('id', '=', session.id).execute();
    return null;
  }
  // Refreshed at most once a minute, so a busy dashboard does not write on every request.
  if (Date.now() - lastSeen > 60_000) await ctx.db.updateTable('sessions').set({ last_seen_at: now() }).where('id', '=', session.id).execute();
  return { tenantId: session.tenant_id, userId: session.user_id, actingUserId: session.user_id, role: session.role, via: 'session', apiKeyId: null, scopes: ['*'], csrfToken: session.csrf_token };
}

export const authPlugin = fp(
  async (app: FastifyInstance, { ctx }: { ctx: AppContext }) => {
    app.decorateRequest('auth', null as unknown as Auth);
    app.addHook('onRoute', (route) => {
      if (route.config?.public) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const scope = route.config?.scope ?? scopeForRoute(String(methods[0]).toUpperCase(), route.url);
      route.config = { ...(route.config ?? {}), scope };
      route.schema = { ...(route.schema ?? {}), 'x-required-scope': scope } as typeof route.schema;
    });
    // onRequest: the caller and the key's scope are checked before the body is even validated.
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config?.public) return;
      const auth = await authenticate(ctx, request);
      if (!auth) throw new AppError('unauthorized', 'sign in or send "Authorization: Bearer <api key>"');
      if (auth.via === 'session' && !SAFE_METHODS.has(request.method)) {
        const sent = request.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !safeEqual(sent, auth.csrfToken ?? '')) {
          throw new AppError('csrf_failed', 'X-CSRF-Token header is missing or wrong; use the csrfToken from sign-in or GET /me');
        }
      }
      request.auth = auth;
      const scope = request.routeOptions.config?.scope;
      if (auth.via === 'apikey' && scope) requireScope(request, scope);
    });
  },
  { name: 'auth' },
);

/** Admin pages and settings: owners and admins (and API keys with the admin scope). */
export function requireAdmin(request: FastifyRequest): void {
  const { auth } = request;
  if (auth.role === 'agent' || (auth.via === 'apikey' && !(auth.scopes.includes('*') || auth.scopes.includes('admin')))) {
    throw new AppError('admin_required', 'this needs an owner or admin (or an API key with the admin scope)', { statusCode: 403 });
  }
}

/** API key scopes (F17); sessions carry every scope their role allows. */
export function requireScope(request: FastifyRequest, scope: string): void {
  const { scopes } = request.auth;
  if (!scopes.includes('*') && !scopes.includes(scope)) {
    throw new AppError('scope_required', `this API key lacks the "${scope}" scope`, { statusCode: 403 });
  }
}

