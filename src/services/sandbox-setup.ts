/**
 * A new tenant's first owner gets a sandbox account and number routed to them (F30), so they can
 * text its virtual phones and answer straight away.
 */
import type { AppContext } from '../context.js';
import { now } from '../db/client.js';
import { newId } from '../lib/ids.js';

export const SANDBOX_NUMBER = '+15550100001';

export async function provisionSandbox(ctx: AppContext, tenantId: string, ownerId: string): Promise<void> {
  const existing = await ctx.db.selectFrom('provider_accounts').select('id').where('tenant_id', '=', tenantId).where('type', '=', 'sandbox').executeTakeFirst();
  if (existing) return;
  const account = await ctx.accounts.create(tenantId, { type: 'sandbox', name: 'Sandbox', credentials: {} });
  await ctx.db
    .insertInto('numbers')
    .values({
      id: newId('num'),
      tenant_id: tenantId,
      number: SANDBOX_NUMBER,
      provider_account_id: account.id,
      destinations: JSON.stringify({ userIds: [ownerId] }),
      system_notification: 0,
      default_country: null,
      mps: null,
      next_send_at: null,
      created_at: now(),
      updated_at: now(),
    })
    .execute();
  ctx.log.info({ tenantId, number: SANDBOX_NUMBER }, 'sandbox account and number ready');
}
