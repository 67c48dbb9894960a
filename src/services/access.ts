/**
 * Who may see which numbers and conversations (F8, F15). Owners, admins and API keys see every
 * number of their tenant (null = no restriction). An agent sees the numbers routed to them —
 * by user, extension, group or role in the number's destinations — and the numbers listed as
 * their caller IDs (F16), but never system notification numbers (F12). Internal threads
 * (F13) are seen by the extensions taking part in them.
 */
import type { AppContext } from '../context.js';
import type { Auth } from '../plugins/auth.js';

/** our_number of internal (extension ↔ extension) conversations; remote_numbers lists the extensions. */
export const INTERNAL_NUMBER = 'internal';

export interface Destinations {
  userIds?: string[];
  extensions?: string[];
  emails?: string[];
  groupIds?: string[];
  /** Every user with one of these roles, e.g. ["agent"] for a shared line. */
  roles?: Array<'owner' | 'admin' | 'agent'>;
}

export interface RoutableUser {
  id: string;
  role: string;
  extension: string | null;
  group_ids: string;
}

export function parseDestinations(raw: string): Destinations {
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Destinations) : {};
  } catch {
    return {};
  }
}

function parseList(raw: string): string[] {
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** Whether a number's destinations route to this user (by user, extension, group or role). */
export function isRoutedTo(user: RoutableUser, destinations: Destinations): boolean {
  const groups = parseList(user.group_ids);
  return Boolean(
    destinations.userIds?.includes(user.id) ||
      (user.extension !== null && destinations.extensions?.includes(user.extension)) ||
      destinations.groupIds?.some((group) => groups.includes(group)) ||
      destinations.roles?.includes(user.role as 'agent'),
  );
}

/** The users of a tenant a number's destinations route to. */
export async function routedUsers(ctx: AppContext, tenantId: string, destinations: Destinations) {
  const users = await ctx.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).execute();
  return users.filter((user) => isRoutedTo(user, destinations));
}

export interface AccessScope {
  /** Numbers the caller may see; null = every number of the tenant. */
  numberIds: string[] | null;
  /** The caller's extension, for internal threads; null for API keys and users without one. */
  extension: string | null;
}

export async function accessScope(ctx: AppContext, auth: Auth): Promise<AccessScope> {
  // Roles come from the session row; only agents need their routing looked up.
  if (auth.via === 'apikey' || !auth.userId || auth.role !== 'agent') return { numberIds: null, extension: null };
  const user = await ctx.db.selectFrom('users').select(['id', 'role', 'extension', 'group_ids', 'caller_ids']).where('tenant_id', '=', auth.tenantId).where('id', '=', auth.userId).executeTakeFirst();
  if (!user) return { numberIds: [], extension: null };
  const callerIds = parseList(user.caller_ids);
  const numbers = await ctx.db.selectFrom('numbers').select(['id', 'number', 'destinations']).where('tenant_id', '=', auth.tenantId).where('system_notification', '=', 0).execute();
  const numberIds = numbers.filter((number) => isRoutedTo(user, parseDestinations(number.destinations)) || callerIds.includes(number.number)).map((number) => number.id);
  return { numberIds, extension: user.extension };
}

export async function visibleNumberIds(ctx: AppContext, auth: Auth): Promise<string[] | null> {
  return (await accessScope(ctx, auth)).numberIds;
}

/** LIKE pattern matching an internal conversation's remote_numbers that include `extension`. */
export function internalThreadPattern(extension: string): string {
  return `%${JSON.stringify(extension)}%`;
}

export function canSeeConversation(scope: AccessScope, row: { number_id: string | null; our_number: string; remote_numbers: string }): boolean {
  if (!scope.numberIds) return true;
  if (row.number_id && scope.numberIds.includes(row.number_id)) return true;
  return row.our_number === INTERNAL_NUMBER && scope.extension !== null && parseList(row.remote_numbers).includes(scope.extension);
}
