/**
 * Email copies of inbound messages (F11): to the number's email destinations and to the users
 * it routes to (or who are assigned the conversation) who opted in with `emailCopies`. Sent over
 * SMTP from a durable job, retried with backoff, logged in email_copies; it never holds up the
 * message itself. Copies are read-only: they say that replies by email are not delivered.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../../context.js';
import { now } from '../../db/client.js';
import type { MessageTable } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import type { JobDefinition } from '../../jobs/queue.js';
import { isRoutedTo, parseDestinations } from '../access.js';
import { contactsOfConversations } from './contacts.js';
import { routingDb, userSettings, withRouting } from './tables.js';

export const EMAIL_COPY_JOB = 'email.inbound_copy';

const transports = new WeakMap<AppContext, Transporter>();

function transportFor(ctx: AppContext): Transporter {
  let transport = transports.get(ctx);
  if (!transport) {
    transport = nodemailer.createTransport(ctx.config.smtpUrl!);
    transports.set(ctx, transport);
  }
  return transport;
}

/** Email addresses that get a copy of an inbound message on this number. */
export async function emailRecipients(ctx: AppContext, message: MessageTable): Promise<string[]> {
  if (!message.number_id) return [];
  const number = await ctx.db.selectFrom('numbers').select(['destinations', 'system_notification']).where('id', '=', message.number_id).executeTakeFirst();
  if (!number || number.system_notification === 1) return [];
  const destinations = parseDestinations(number.destinations);
  const conversation = await ctx.db.selectFrom('conversations').select('assigned_user_id').where('id', '=', message.conversation_id).executeTakeFirst();
  const users = await ctx.db.selectFrom('users').select(['id', 'role', 'extension', 'group_ids', 'email', 'settings']).where('tenant_id', '=', message.tenant_id).execute();
  const optedIn = users.filter((user) => userSettings(user.settings).emailCopies === true && (isRoutedTo(user, destinations) || user.id === conversation?.assigned_user_id));
  const all = [...(destinations.emails ?? []), ...optedIn.map((user) => user.email)].map((email) => email.trim().toLowerCase()).filter(Boolean);
  return [...new Set(all)];
}

/** Records the copy and enqueues its job once per message (safe to call again on a retry). */
export async function queueEmailCopy(ctx: AppContext, message: MessageTable): Promise<boolean> {
  if (!ctx.config.smtpUrl || !ctx.config.mailFrom) return false;
  const recipients = await emailRecipients(ctx, message);
  if (recipients.length === 0) return false;
  const queued = await ctx.db.transaction().execute(async (trx) => {
    const id = newId('eml');
    const inserted = await withRouting(trx)
      .insertInto('email_copies')
      .values({ id, tenant_id: message.tenant_id, message_id: message.id, recipients: JSON.stringify(recipients), status: 'pending', attempts: 0, smtp_message_id: null, error: null, created_at: now(), sent_at: null })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await ctx.queue.enqueue(trx, EMAIL_COPY_JOB, { copyId: id }, { tenantId: message.tenant_id });
    return true;
  });
  if (queued) ctx.queue.wake();
  return queued;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One line for a header: no CR/LF (header injection), bounded length. */
function headerText(text: string, max = 120): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

export interface EmailCopy {
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'video/mp4': 'mp4', 'audio/mpeg': 'mp3', 'application/pdf': 'pdf', 'text/vcard': 'vcf', 'text/plain': 'txt' };

export async function buildEmailCopy(ctx: AppContext, message: MessageTable): Promise<EmailCopy> {
  const contacts = (await contactsOfConversations(ctx.db, [message.conversation_id])).get(message.conversation_id) ?? [];
  const ourNumber = (JSON.parse(message.to_numbers) as string[])[0] ?? '';
  const sender = contacts.length ? `${message.from_number} (${contacts.map((c) => c.name).join(', ')})` : message.from_number;
  const link = `${ctx.config.publicUrl}/inbox/${encodeURIComponent(message.conversation_id)}`;
  const received = new Date(message.created_at).toUTCString();
  const media = await ctx.db.selectFrom('media').selectAll().where('message_id', '=', message.id).orderBy('created_at').execute();
  const attachments: EmailCopy['attachments'] = [];
  const missing: string[] = [];
  for (const [index, item] of media.entries()) {
    if (item.status !== 'stored') {
      missing.push(item.source_url ?? item.id);
      continue;
    }
    const stored = await ctx.media.read(item);
    attachments.push({ filename: `attachment-${index + 1}.${EXTENSIONS[item.content_type] ?? 'bin'}`, content: stored.data, contentType: item.content_type });
  }
  const notice = 'This is a read-only copy. Replies to this email are not delivered; reply in the Switchboard dashboard or app.';
  const facts: Array<[string, string]> = [
    ['From', sender],
    ['To', ourNumber],
    ['Received', received],
  ];
  if (attachments.length) facts.push(['Attachments', String(attachments.length)]);
  if (missing.length) facts.push(['Media not stored', String(missing.length)]);
  const body = message.body || (attachments.length ? '(picture message, see attachments)' : '(empty message)');
  const text = [...facts.map(([k, v]) => `${k}: ${v}`), '', body, '', `Open the conversation: ${link}`, '', notice, ''].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    '<table>',
    ...facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    `<p style="white-space:pre-wrap">${escapeHtml(body)}</p>`,
    `<p><a href="${escapeHtml(link)}">Open the conversation</a></p>`,
    `<p style="color:#666;font-size:smaller">${escapeHtml(notice)}</p>`,
    '</body></html>',
  ].join('\n');
  const subject = headerText(`SMS from ${sender} to ${ourNumber}${message.body ? `: ${message.body}` : ''}`);
  return { subject, text, html, attachments };
}

export function emailCopyJob(ctx: AppContext): JobDefinition<{ copyId: string }> {
  const db = routingDb(ctx.db);
  return {
    name: EMAIL_COPY_JOB,
    maxAttempts: 8,
    concurrency: 4,
    async handle({ copyId }, { attempt, log }) {
      const copy = await db.selectFrom('email_copies').selectAll().where('id', '=', copyId).executeTakeFirst();
      if (!copy || copy.status === 'sent') return;
      const message = await ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', copy.tenant_id).where('id', '=', copy.message_id).executeTakeFirst();
      if (!message) return;
      if (!ctx.config.smtpUrl || !ctx.config.mailFrom) {
        await db.updateTable('email_copies').set({ status: 'failed', error: 'SMTP_URL is no longer set' }).where('id', '=', copyId).execute();
        return;
      }
      await db.updateTable('email_copies').set({ attempts: attempt }).where('id', '=', copyId).execute();
      const mail = await buildEmailCopy(ctx, message);
      try {
        const info = (await transportFor(ctx).sendMail({
          from: ctx.config.mailFrom,
          to: JSON.parse(copy.recipients) as string[],
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          attachments: mail.attachments,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Switchboard-Message': message.id },
        })) as { messageId?: string };
        await db.updateTable('email_copies').set({ status: 'sent', sent_at: now(), smtp_message_id: info.messageId ?? null, error: null }).where('id', '=', copyId).execute();
        log.info({ copyId, messageId: message.id, recipients: JSON.parse(copy.recipients).length }, 'email copy sent');
      } catch (error) {
        await db.updateTable('email_copies').set({ error: (error as Error).message.slice(0, 1000) }).where('id', '=', copyId).execute();
        log.warn({ err: error, copyId, attempt }, 'email copy failed, will retry');
        throw error;
      }
    },
    async onGiveUp({ copyId }, error) {
      await db.updateTable('email_copies').set({ status: 'failed', error: `gave up: ${(error as Error)?.message ?? String(error)}`.slice(0, 1000) }).where('id', '=', copyId).execute();
      ctx.log.error({ copyId, err: error }, 'email copy gave up after retries');
    },
  };
}
