/**
 * Sign-in throttling kept in the database, so every node shares it (issue 10, item 3):
 * - per source address: at most IP_FAILURES wrong passwords in IP_WINDOW, then 429 until the
 *   window ends;
 * - per account: after ACCOUNT_FREE_FAILURES, each further failure locks the account's sign-in
 *   for a delay that doubles (2 s, 4 s, … up to 15 minutes); a success clears it.
 * The source address is the socket's, or X-Forwarded-For's only from TRUST_PROXY addresses.
 */
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';

const IP_FAILURES = 20;
const IP_WINDOW_MS = 15 * 60_000;
const ACCOUNT_FREE_FAILURES = 5;
const ACCOUNT_MAX_DELAY_MS = 15 * 60_000;

const ipKey = (ip: string) => `ip:${ip}`;
const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;

function tooMany(until: string, what: string): AppError {
  const seconds = Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 1000));
  return new AppError('rate_limited', `too many failed sign-ins ${what}; try again in ${seconds} s`, { statusCode: 429, headers: { 'retry-after': String(seconds) } });
}

/** Throws 429 while the address or the account is blocked. */
export async function assertSignInAllowed(db: Db, ip: string, email: string): Promise<void> {
  const rows = await db.selectFrom('auth_throttle').selectAll().where('key', 'in', [ipKey(ip), accountKey(email)]).execute();
  const at = new Date().toISOString();
  for (const row of rows) {
    if (row.blocked_until && row.blocked_until > at) throw tooMany(row.blocked_until, row.key.startsWith('ip:') ? 'from this address' : 'for this account');
  }
}

export async function recordSignInFailure(db: Db, ip: string, email: string): Promise<void> {
  const at = new Date();
  await bump(db, ipKey(ip), at, (failures, windowStart) => (failures >= IP_FAILURES ? new Date(Date.parse(windowStart) + IP_WINDOW_MS) : null), IP_WINDOW_MS);
  await bump(db, accountKey(email), at, (failures) => {
    if (failures <= ACCOUNT_FREE_FAILURES) return null;
    const delay = Math.min(2 ** (failures - ACCOUNT_FREE_FAILURES) * 1000, ACCOUNT_MAX_DELAY_MS);
    return new Date(at.getTime() + delay);
  }, 24 * 60 * 60_000);
}

export async function recordSignInSuccess(db: Db, email: string): Promise<void> {
  await db.deleteFrom('auth_throttle').where('key', '=', accountKey(email)).execute();
}

/** Counts one failure in the key's window (atomically on both databases) and sets its block. */
async function bump(db: Db, key: string, at: Date, blockUntil: (failures: number, windowStart: string) => Date | null, windowMs: number): Promise<void> {
  const now = at.toISOString();
  const windowFloor = new Date(at.getTime() - windowMs).toISOString();
  const row = await db
    .insertInto('auth_throttle')
    .values({ key, failures: 1, window_started_at: now, blocked_until: null, updated_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        // An old window starts over.
        failures: sql`case when auth_throttle.window_started_at < ${windowFloor} then 1 else auth_throttle.failures + 1 end`,
        window_started_at: sql`case when auth_throttle.window_started_at < ${windowFloor} then ${now} else auth_throttle.window_started_at end`,
        updated_at: now,
      }),
    )
    .returning(['failures', 'window_started_at'])
    .executeTakeFirstOrThrow();
  const until = blockUntil(Number(row.failures), row.window_started_at);
  if (until) await db.updateTable('auth_throttle').set({ blocked_until: until.toISOString() }).where('key', '=', key).execute();
}

/** Forgets throttle rows nobody has touched for a day. */
export async function purgeSignInThrottle(db: Db): Promise<void> {
  const dayAgo = new Date(Date.now() - 24 * 60 * 60_000).toISOString();
  await db.deleteFrom('auth_throttle').where('updated_at', '<', dayAgo).execute();
}
