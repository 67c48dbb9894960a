/** First-start set-up: the default tenant, the owner from ADMIN_EMAIL, env provider accounts (F6). */
import type { AppContext } from './context.js';
import { ConfigError } from './config/env.js';
import { CredentialsError } from './providers/core/credentials.js';
import { provisionSandbox } from './services/sandbox-setup.js';
import { createTenant, createUser } from './services/tenants.js';

export async function bootstrap(ctx: AppContext): Promise<void> {
  const { config } = ctx;
  const needsTenant = config.adminEmail !== null || Object.keys(config.providerEnv).length > 0;
  let tenant = await ctx.db.selectFrom('tenants').select(['id', 'name']).orderBy('created_at').executeTakeFirst();
  if (!tenant && needsTenant) tenant = await createTenant(ctx.db, 'Default');
  if (!tenant) return;

  if (config.adminEmail && config.adminPassword) {
    const anyUser = await ctx.db.selectFrom('users').select('id').executeTakeFirst();
    if (!anyUser) {
      const owner = await createUser(ctx.db, tenant.id, { email: config.adminEmail, name: 'Owner', role: 'owner', password: config.adminPassword });
      await provisionSandbox(ctx, tenant.id, owner.id);
      ctx.log.info({ email: config.adminEmail }, 'created the first owner from ADMIN_EMAIL');
    }
  }
  try {
    await ctx.accounts.syncFromEnvironment(tenant.id, config.providerEnv);
  } catch (error) {
    if (error instanceof CredentialsError) {
      const variable = /^([A-Z0-9_]+)/.exec(error.message)?.[1] ?? 'provider';
      throw new ConfigError(variable, error.message.slice(variable.length).trim());
    }
    throw error;
  }
}
