/**
 * Our numbers as sends and inbound routing read them, cached per node (issue 11: every send read
 * its number by tenant and E.164, every inbound message its number by id). `ctx.numbers` holds the
 * row by id, `ctx.numberIds` the id by tenant and E.164. Call `numberChanged` after changing or
 * deleting a number. A new number needs nothing: lookups that find nothing are not kept.
 */
import type { AppContext } from '../context.js';
import type { Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import type { NumberTable } from '../db/schema.js';
import { pairKey, splitPairKey } from './node-cache.js';

/** A number without its pacing slot, which changes with every send and is read where it is taken. */
export type NumberRow = Omit<NumberTable, 'next_send_at'>;

const COLUMNS = ['id', 'tenant_id', 'number', 'provider_account_id', 'destinations', 'system_notification', 'default_country', 'mps', 'created_at', 'updated_at'] as const satisfies ReadonlyArray<keyof NumberRow>;

const byId = prepared<{ id: string }>()((db, p) => db.selectFrom('numbers').select(COLUMNS).where('id', '=', p.id));
const idByNumber = prepared<{ tenantId: string; number: string }>()((db, p) => db.selectFrom('numbers').select('id').where('tenant_id', '=', p.tenantId).where('number', '=', p.number));

export function loadNumber(db: Db, id: string): Promise<NumberRow | undefined> {
  return byId.first(db, { id });
}

export function numberIdKey(tenantId: string, number: string): string {
  return pairKey(tenantId, number);
}

export async function loadNumberId(db: Db, key: string): Promise<string | undefined> {
  const [tenantId, number] = splitPairKey(key);
  return (await idByNumber.first(db, { tenantId, number }))?.id;
}

/** The tenant's number with this id, or undefined. */
export async function numberOfTenant(ctx: AppContext, tenantId: string, id: string): Promise<NumberRow | undefined> {
  const number = await ctx.numbers.get(id);
  return number?.tenant_id === tenantId ? number : undefined;
}

/** The tenant's number with this E.164 (or sender ID), or undefined. */
export async function numberOfTenantByE164(ctx: AppContext, tenantId: string, e164: string): Promise<NumberRow | undefined> {
  const id = await ctx.numberIds.get(numberIdKey(tenantId, e164));
  return id === undefined ? undefined : numberOfTenant(ctx, tenantId, id);
}

/** Call after the change has committed: this node and the others read the number afresh. */
export function numberChanged(ctx: AppContext, number: { id: string; tenant_id: string; number: string }): void {
  ctx.numbers.changed(number.id);
  ctx.numberIds.changed(numberIdKey(number.tenant_id, number.number));
}
