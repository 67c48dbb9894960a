/**
 * What happens to each inbound message once it is stored and its media downloaded (F8, F11,
 * F12, F21, F27): link the conversation to matching contacts, act on STOP/START/HELP keywords,
 * answer texts to system notification numbers once, and queue the email copy. Every step is
 * idempotent, so a retried job repeats nothing: replies carry the inbound message id as their
 * idempotency key and email copies are keyed on the message.
 */
import type { AppContext } from '../../context.js';
import { now } from '../../db/client.js';
import { numberOfTenant, type NumberRow } from '../number-rows.js';
import type { MessageTable } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { acceptMessage } from '../send-message.js';
import { linkConversationContacts } from './contacts.js';
import { queueEmailCopy } from './email-copy.js';
import { addOptOut, CONDITIONAL_OPT_IN_KEYWORDS, detectKeyword, removeOptOut, TENANT_SCOPE } from './opt-outs.js';
import { getComplianceSettings, routingDb } from './tables.js';
import { SYSTEM_SENDER } from '../inbox/message-senders.js';

const UNMONITORED_WINDOW_MS = 24 * 3600 * 1000;

export async function handleInboundMessage(ctx: AppContext, message: MessageTable): Promise<void> {
  if (message.direction !== 'inbound' || !message.number_id) return;
  const number = await numberOfTenant(ctx, message.tenant_id, message.number_id);
  if (!number) return;

  // The conversation is the one ingest chose for the sender and the other recipients, so its
  // numbers are read off the message rather than the conversation row (issue 11).
  const remotes = [message.from_number, ...(JSON.parse(message.to_numbers) as string[]).filter((to) => to !== number.number)];
  const linked = await linkConversationContacts(ctx, { id: message.conversation_id, tenantId: message.tenant_id, ourNumber: number.number, remotes });
  if (linked.length > 0) ctx.events.publish({ type: 'conversation.updated', tenantId: message.tenant_id, numberId: number.id, data: { id: message.conversation_id } });

  const keyword = detectKeyword(message.body);
  if (keyword) await handleKeyword(ctx, message, number, keyword);
  else if (number.system_notification === 1) await answerUnmonitored(ctx, message, number);

  // Notification numbers are not routed to anyone (F12); everything else gets its email copy.
  if (number.system_notification !== 1) await queueEmailCopy(ctx, message);
}

async function handleKeyword(ctx: AppContext, message: MessageTable, number: NumberRow, keyword: 'opt_out' | 'opt_in' | 'help'): Promise<void> {
  const settings = await getComplianceSettings(ctx.db, message.tenant_id);
  const phone = message.from_number;
  let reply: string;
  if (keyword === 'opt_out') {
    const scope = settings.optOutScope === 'tenant' ? TENANT_SCOPE : number.id;
    await addOptOut(ctx, { tenantId: message.tenant_id, phone, scope, source: 'keyword', detail: `"${message.body.trim().slice(0, 20)}" to ${number.number} (${message.id})` });
    ctx.log.info({ tenantId: message.tenant_id, numberId: number.id, scope }, 'remote number opted out');
    ctx.events.publish({ type: 'optout.changed', tenantId: message.tenant_id, numberId: number.id, data: { phone, optedOut: true, numberId: scope === TENANT_SCOPE ? null : number.id, source: 'keyword' } });
    reply = settings.optOutReply;
  } else if (keyword === 'opt_in') {
    const removed = await removeOptOut(ctx, message.tenant_id, phone, number.id);
    // A plain "Yes" from someone who never opted out is a conversation, not a keyword.
    if (removed === 0 && CONDITIONAL_OPT_IN_KEYWORDS.includes(message.body.trim().replace(/[.!?]+$/, '').toUpperCase())) return;
    ctx.log.info({ tenantId: message.tenant_id, numberId: number.id }, 'remote number opted back in');
    ctx.events.publish({ type: 'optout.changed', tenantId: message.tenant_id, numberId: number.id, data: { phone, optedOut: false, numberId: number.id, source: 'keyword' } });
    reply = settings.optInReply;
  } else {
    reply = settings.helpText;
  }
  await sendAutomaticReply(ctx, message, number, reply, true);
}

/** One "not monitored" answer per remote number and window, however many texts arrive. */
async function answerUnmonitored(ctx: AppContext, message: MessageTable, number: NumberRow): Promise<void> {
  const db = routingDb(ctx.db);
  const at = now();
  const key = { tenant_id: message.tenant_id, number_id: number.id, phone: message.from_number, kind: 'unmonitored' };
  const renewed = await db
    .updateTable('auto_replies')
    .set({ last_sent_at: at })
    .where('tenant_id', '=', key.tenant_id)
    .where('number_id', '=', key.number_id)
    .where('phone', '=', key.phone)
    .where('kind', '=', key.kind)
    .where('last_sent_at', '<', new Date(Date.now() - UNMONITORED_WINDOW_MS).toISOString())
    .executeTakeFirst();
  if (Number(renewed.numUpdatedRows) === 0) {
    const inserted = await db
      .insertInto('auto_replies')
      .values({ ...key, last_sent_at: at })
      .onConflict((oc) => oc.columns(['tenant_id', 'number_id', 'phone', 'kind']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
  }
  const settings = await getComplianceSettings(ctx.db, message.tenant_id);
  await sendAutomaticReply(ctx, message, number, settings.unmonitoredReply, false);
}

async function sendAutomaticReply(ctx: AppContext, message: MessageTable, number: NumberRow, body: string, complianceReply: boolean): Promise<void> {
  if (!body.trim()) return;
  try {
    await acceptMessage(ctx, { tenantId: message.tenant_id, userId: null, createdBy: SYSTEM_SENDER.autoReply, from: number.number, to: message.from_number, body, complianceReply, idempotencyKey: `auto:${message.id}` });
  } catch (error) {
    // A reply the provider cannot take (e.g. a sender ID that cannot text back) is not worth retrying.
    if (error instanceof AppError) {
      ctx.log.warn({ err: error, messageId: message.id }, 'automatic reply refused');
      return;
    }
    throw error;
  }
}
