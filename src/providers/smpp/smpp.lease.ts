/**
 * Which node holds an SMPP account's bind (F32): a lease row per account, renewed by its holder
 * and taken over by another node once it has expired. The row also carries the bind's live state,
 * so any node can answer the API with it.
 */
import type { Db } from '../../db/client.js';
import type { SessionState } from '../core/types.js';

export interface LeaseTimes {
  /** How long a lease lasts without renewal: the takeover time when a node dies. */
  leaseMs: number;
}

/** Takes the lease when it is free, expired or already ours; returns whether this node holds it. */
export async function takeLease(db: Db, accountId: string, node: string, times: LeaseTimes): Promise<boolean> {
  const now = new Date();
  const expires = new Date(now.getTime() + times.leaseMs).toISOString();
  const at = now.toISOString();
  const row = await db
    .insertInto('smpp_leases')
    .values({ provider_account_id: accountId, holder: node, expires_at: expires, state: 'binding', last_error: null, state_at: at })
    .onConflict((oc) =>
      oc
        .column('provider_account_id')
        .doUpdateSet((eb) => ({
          holder: node,
          expires_at: expires,
          // A takeover starts from "binding"; a renewal keeps the state the holder recorded.
          state: eb.case().when('smpp_leases.holder', '=', node).then(eb.ref('smpp_leases.state')).else('binding').end(),
          state_at: eb.case().when('smpp_leases.holder', '=', node).then(eb.ref('smpp_leases.state_at')).else(at).end(),
        }))
        .where((eb) => eb.or([eb('smpp_leases.holder', '=', node), eb('smpp_leases.expires_at', '<', at)])),
    )
    .returning('holder')
    .executeTakeFirst();
  return row?.holder === node;
}

export async function releaseLease(db: Db, accountId: string, node: string, state: { lastError: string | null }): Promise<void> {
  await db
    .updateTable('smpp_leases')
    .set({ expires_at: new Date(0).toISOString(), state: 'disconnected', last_error: state.lastError, state_at: new Date().toISOString() })
    .where('provider_account_id', '=', accountId)
    .where('holder', '=', node)
    .execute();
}

export async function recordState(db: Db, accountId: string, node: string, state: SessionState['state'], lastError: string | null): Promise<void> {
  await db
    .updateTable('smpp_leases')
    .set({ state, last_error: lastError?.slice(0, 500) ?? null, state_at: new Date().toISOString() })
    .where('provider_account_id', '=', accountId)
    .where('holder', '=', node)
    .execute();
}

export async function readState(db: Db, accountId: string): Promise<SessionState | null> {
  const row = await db.selectFrom('smpp_leases').selectAll().where('provider_account_id', '=', accountId).executeTakeFirst();
  if (!row) return null;
  const held = row.expires_at > new Date().toISOString();
  if (!held) return { state: 'disconnected', lastError: row.last_error ?? 'no node holds the bind', since: row.state_at, node: null };
  return { state: row.state as SessionState['state'], lastError: row.last_error, since: row.state_at, node: row.holder };
}
