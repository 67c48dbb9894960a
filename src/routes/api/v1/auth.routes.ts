/** Sign-in, sign-out, the current caller, and first-run owner creation. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { verifyPassword } from '../../../lib/crypto.js';
import { endSession, startSession } from '../../../plugins/auth.js';
import { provisionSandbox } from '../../../services/sandbox-setup.js';
import { createTenant, createUser } from '../../../services/tenants.js';
import { assertSignInAllowed, recordSignInFailure, recordSignInSuccess } from '../../../services/sign-in-throttle.js';
import { serializeUser } from './users.routes.js';

const Login = Type.Object({ email: Type.String({ minLength: 3, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
const Setup = Type.Object(
  { tenantName: Type.String({ minLength: 1, maxLength: 200 }), name: Type.String({ minLength: 1, maxLength: 200 }), email: Type.String({ format: 'email', maxLength: 320 }), password: Type.String({ minLength: 8, maxLength: 1000 }) },
  { additionalProperties: false },
);

export async function authRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.post<{ Body: Static<typeof Login> }>(
    '/auth/login',
    { config: { public: true }, schema: { tags: ['auth'], body: Login } },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      await assertSignInAllowed(ctx.db, request.ip, email);
      const user = await ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      // Same answer (and roughly the same time) whether the email exists or not.
      const ok = await verifyPassword(request.body.password, user?.password_hash ?? 'scrypt$AAAAAAAAAAAAAAAAAAAAAA$' + 'A'.repeat(86));
      if (!user || !ok) {
        await recordSignInFailure(ctx.db, request.ip, email);
        throw new AppError('invalid_credentials', 'email or password is wrong');
      }
      await recordSignInSuccess(ctx.db, email);
      const csrfToken = await startSession(ctx, reply, user);
      return { user: serializeUser(user), csrfToken };
    },
  );

  app.post('/auth/logout', { schema: { tags: ['auth'] } }, async (request, reply) => {
    await endSession(ctx, request, reply);
    return reply.status(204).send();
  });

  app.get('/me', { schema: { tags: ['auth'] } }, async (request) => {
    const tenant = await ctx.db.selectFrom('tenants').select(['id', 'name']).where('id', '=', request.auth.tenantId).executeTakeFirstOrThrow();
    if (!request.auth.userId) return { user: null, tenant, apiKey: { id: request.auth.apiKeyId, scopes: request.auth.scopes }, csrfToken: null };
    const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', request.auth.userId).executeTakeFirstOrThrow();
    return { user: serializeUser(user), tenant, csrfToken: request.auth.csrfToken };
  });

  /** First run: tells the dashboard whether an owner must be created. */
  app.get('/auth/setup', { config: { public: true }, schema: { tags: ['auth'] } }, async () => {
    const anyUser = await ctx.db.selectFrom('users').select('id').executeTakeFirst();
    return { needsSetup: !anyUser };
  });

  app.post<{ Body: Static<typeof Setup> }>(
    '/auth/setup',
    { config: { public: true, rateLimit: { max: 5, timeWindow: '1 minute' } }, schema: { tags: ['auth'], body: Setup } },
    async (request, reply) => {
      const anyUser = await ctx.db.selectFrom('users').select('id').executeTakeFirst();
      if (anyUser) throw new AppError('conflict', 'Switchboard is already set up; sign in instead');
      const existing = await ctx.db.selectFrom('tenants').select('id').orderBy('created_at').executeTakeFirst();
      const tenantName = request.body.tenantName.trim();
      if (!tenantName) throw new AppError('validation_error', 'tenantName must not be blank');
      // A tenant made at start-up (for env provider accounts) is a placeholder: it takes the name typed here.
      if (existing) await ctx.db.updateTable('tenants').set({ name: tenantName }).where('id', '=', existing.id).execute();
      const tenantId = existing?.id ?? (await createTenant(ctx.db, tenantName)).id;
      const user = await createUser(ctx.db, tenantId, { email: request.body.email, name: request.body.name, role: 'owner', password: request.body.password });
      await provisionSandbox(ctx, tenantId, user.id);
      const csrfToken = await startSession(ctx, reply, user);
      return reply.status(201).send({ user: serializeUser(user), csrfToken });
    },
  );
}
