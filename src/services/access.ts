/**
 * Which numbers a caller may see (F15). Owners, admins and API keys see every number of their
 * tenant (null = no restriction); an agent sees the numbers that route to them.
 */
import type { AppContext } from '../context.js';
import type { Auth } from '../plugins/auth.js';

export async function visibleNumberIds(ctx: AppContext, auth: Auth): Promise<string[] | null> {
  if (auth.via === 'apikey' || auth.role !== 'agent' || !auth.userId) return null;
  const user = await ctx.db.selectFrom('users').select(['id', 'extension', 'group_ids']).where('id', '=', auth.userId).executeTakeFirst();
  if (!user) return [];
  const groups = JSON.parse(user.group_ids) as string[];
  const numbers = await ctx.db.selectFrom('numbers').select(['id', 'destinations']).where('tenant_id', '=', auth.tenantId).where('system_notification', '=', 0).execute();
  return numbers
    .filter((number) => {
      const destinations = JSON.parse(number.destinations) as { userIds?: string[]; extensions?: string[]; groupIds?: string[] };
      return (
        destinations.userIds?.includes(user.id) ||
        (user.extension !== null && destinations.extensions?.includes(user.extension)) ||
        destinations.groupIds?.some((group) => groups.includes(group))
      );
    })
    .map((number) => number.id);
}
