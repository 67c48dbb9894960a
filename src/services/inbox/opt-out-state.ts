/**
 * Whether a conversation's remote number may be texted (F27), so the thread can say so up front
 * instead of the first send being refused.
 */
import type { AppContext } from '../../context.js';
import type { ConversationTable } from '../../db/schema.js';
import { findOptOuts, TENANT_SCOPE } from '../routing/opt-outs.js';
import { routingDb, type OptOutTable } from '../routing/tables.js';

export type OptOutState =
  | { phone: string; reason: 'opted_out'; scope: 'number' | 'tenant'; source: OptOutTable['source']; since: string }
  | { phone: string; reason: 'contact_disallows_sms'; contactName: string };

export async function optOutStateOf(ctx: AppContext, conversation: ConversationTable): Promise<OptOutState | null> {
  if (!conversation.number_id) return null;
  const remotes = JSON.parse(conversation.remote_numbers) as string[];
  const [optOut] = await findOptOuts(ctx, conversation.tenant_id, conversation.number_id, remotes);
  if (optOut) return { phone: optOut.phone, reason: 'opted_out', scope: optOut.scope === TENANT_SCOPE ? 'tenant' : 'number', source: optOut.source, since: optOut.created_at };
  const blocked = await routingDb(ctx.db)
    .selectFrom('contact_phones')
    .innerJoin('contacts', 'contacts.id', 'contact_phones.contact_id')
    .select(['contacts.name', 'contact_phones.phone'])
    .where('contact_phones.tenant_id', '=', conversation.tenant_id)
    .where('contact_phones.phone', 'in', remotes.length ? remotes : ['-'])
    .where('contacts.allow_sms', '=', 0)
    .executeTakeFirst();
  return blocked ? { phone: blocked.phone, reason: 'contact_disallows_sms', contactName: blocked.name } : null;
}
