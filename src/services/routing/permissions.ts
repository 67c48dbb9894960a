/**
 * Send permissions (F15–F17), as a send guard: refusals happen before anything is stored and
 * are 403s whose code names what is missing. API keys are checked by scope in the route
 * (requireScope 'messages:send'); system sends (no auth) are not restricted here.
 */
import type { AppContext } from '../../context.js';
import { forbidden } from '../../errors.js';
import { isSenderId, toE164 } from '../../lib/phone.js';
import { accessScope } from '../access.js';
import type { SendInput, SendValidation } from '../send-message.js';
import { AppError } from '../../errors.js';

export async function sendPermissionGuard(ctx: AppContext, input: SendInput, { number }: SendValidation): Promise<void> {
  const auth = input.auth;
  if (!auth) return;
  if (number.system_notification === 1) {
    throw forbidden('number_not_allowed', `${number.number} is a system notification number; it sends system texts only and is not used for conversations`);
  }
  if (auth.via === 'apikey' || !auth.userId) return;
  const user = await ctx.db.selectFrom('users').select(['id', 'role', 'send_permission', 'caller_ids']).where('tenant_id', '=', auth.tenantId).where('id', '=', auth.userId).executeTakeFirst();
  if (!user) throw forbidden('send_permission_required', 'the signed-in user no longer exists');
  if (user.send_permission === 'none') {
    throw forbidden('send_permission_required', 'you have no permission to send messages (send permission "none"); ask an admin to grant "number" or "sender_id"');
  }
  if (isSenderId(number.number) && user.send_permission !== 'sender_id') {
    throw forbidden('sender_id_not_allowed', `sending as the sender ID "${number.number}" needs the "sender_id" send permission`);
  }
  if (user.role !== 'agent') return;
  const scope = await accessScope(ctx, auth);
  if (scope.numberIds && !scope.numberIds.includes(number.id)) {
    throw forbidden('number_not_allowed', `you may not send from ${number.number}; it is neither routed to you nor one of your caller IDs`);
  }
}

/**
 * Normalises a user's caller IDs and checks each is a number (or sender ID) of the tenant;
 * returns them in the order given. The default caller ID must be one of them.
 */
export async function normaliseCallerIds(ctx: AppContext, tenantId: string, callerIds: string[], defaultCallerId?: string | null): Promise<{ callerIds: string[]; defaultCallerId: string | null }> {
  const rows = await ctx.db.selectFrom('numbers').select(['number', 'default_country']).where('tenant_id', '=', tenantId).execute();
  const owned = new Set(rows.map((row) => row.number));
  const normalise = (value: string, field: string): string => {
    const candidate = isSenderId(value) ? value.trim() : (toE164(value, ctx.config.defaultCountry) ?? value.trim());
    if (!owned.has(candidate)) throw new AppError('validation_error', `${field} "${value}" is not a number of this tenant; add it under numbers first`);
    return candidate;
  };
  const list = [...new Set(callerIds.map((value, index) => normalise(value, `callerIds[${index}]`)))];
  let chosen: string | null = null;
  if (defaultCallerId) {
    chosen = normalise(defaultCallerId, 'defaultCallerId');
    if (!list.includes(chosen)) throw new AppError('validation_error', `defaultCallerId "${defaultCallerId}" must be one of callerIds`);
  } else if (defaultCallerId === undefined) {
    chosen = list[0] ?? null;
  }
  return { callerIds: list, defaultCallerId: chosen };
}
