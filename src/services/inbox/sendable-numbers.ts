/**
 * The numbers the caller may send from, by the same rules as the send guard
 * (routing/permissions.ts), so compose offers only numbers a send would not refuse.
 */
import type { AppContext } from '../../context.js';
import type { NumberTable } from '../../db/schema.js';
import { isSenderId } from '../../lib/phone.js';
import type { Auth } from '../../plugins/auth.js';
import { accessScope } from '../access.js';

export async function sendableNumberIds(ctx: AppContext, auth: Auth, numbers: NumberTable[]): Promise<Set<string>> {
  const open = numbers.filter((number) => number.system_notification !== 1);
  if (auth.via === 'apikey' || !auth.userId) return new Set(open.map((number) => number.id));
  const user = await ctx.db.selectFrom('users').select(['role', 'send_permission']).where('tenant_id', '=', auth.tenantId).where('id', '=', auth.userId).executeTakeFirst();
  if (!user || user.send_permission === 'none') return new Set();
  const scope = user.role === 'agent' ? await accessScope(ctx, auth) : { numberIds: null };
  return new Set(
    open
      .filter((number) => !isSenderId(number.number) || user.send_permission === 'sender_id')
      .filter((number) => !scope.numberIds || scope.numberIds.includes(number.id))
      .map((number) => number.id),
  );
}
