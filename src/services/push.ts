/**
 * Web Push (F10): VAPID keys generated into DATA_DIR on first use, one subscription per browser,
 * and a notification to each subscribed user when an inbound message arrives on their numbers.
 * Sending runs as a durable job (push.inbound) so a slow push service never holds back inbound
 * processing, and a failed delivery is retried with backoff.
 */
import fs from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import type { AppContext } from '../context.js';
import { now, type Db } from '../db/client.js';
import { prepared } from '../db/prepared.js';
import type { MessageTable, UserTable } from '../db/schema.js';
import { isRoutedTo, parseDestinations } from './access.js';
import { withTimeout } from '../lib/timeout.js';

export interface PushSubscriptionTable {
  id: string;
  tenant_id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  user_agent: string | null;
  created_at: string;
  last_success_at: string | null;
  last_error: string | null;
}

/** The base schema does not know this table (migration 0003_dashboard adds it). */
export function pushDb(db: Db) {
  return db.withTables<{ push_subscriptions: PushSubscriptionTable }>();
}

const anySubscription = prepared<{ tenantId: string }>()((db, p) => pushDb(db as Db).selectFrom('push_subscriptions').select('id').where('tenant_id', '=', p.tenantId).limit(1));

/** Read through ctx.hasPushSubscriptions (cached per tenant). */
export async function tenantHasPushSubscription(db: Db, tenantId: string): Promise<boolean> {
  return (await anySubscription.first(db, { tenantId })) !== undefined;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const vapidCache = new Map<string, VapidKeys>();

/** DATA_DIR/vapid.json, created (mode 0600) the first time push is used. */
export function loadVapidKeys(dataDir: string): VapidKeys {
  const cached = vapidCache.get(dataDir);
  if (cached) return cached;
  const file = path.join(dataDir, 'vapid.json');
  let keys: VapidKeys;
  if (fs.existsSync(file)) {
    keys = JSON.parse(fs.readFileSync(file, 'utf8')) as VapidKeys;
  } else {
    fs.mkdirSync(dataDir, { recursive: true });
    keys = webpush.generateVAPIDKeys();
    try {
      fs.writeFileSync(file, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process won the race: use its keys.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      keys = JSON.parse(fs.readFileSync(file, 'utf8')) as VapidKeys;
    }
  }
  vapidCache.set(dataDir, keys);
  return keys;
}

export function isPushEnabled(user: Pick<UserTable, 'settings'>): boolean {
  try {
    return (JSON.parse(user.settings || '{}') as { pushEnabled?: boolean }).pushEnabled !== false;
  } catch {
    return true;
  }
}

export const PUSH_INBOUND_JOB = 'push.inbound';

/** Users to notify for an inbound message: the number's destinations and the conversation's assignee; everyone with access when the number routes to nobody. */
export async function pushRecipients(ctx: AppContext, message: MessageTable): Promise<string[]> {
  const users = await ctx.db.selectFrom('users').select(['id', 'role', 'extension', 'group_ids', 'settings']).where('tenant_id', '=', message.tenant_id).execute();
  const number = message.number_id ? await ctx.db.selectFrom('numbers').select(['destinations']).where('id', '=', message.number_id).executeTakeFirst() : undefined;
  const destinations = number ? parseDestinations(number.destinations) : {};
  const conversation = await ctx.db.selectFrom('conversations').select(['assigned_user_id']).where('id', '=', message.conversation_id).executeTakeFirst();
  const routed = users.filter((user) => isRoutedTo(user, destinations) || user.id === conversation?.assigned_user_id);
  const chosen = routed.length > 0 ? routed : users.filter((user) => user.role !== 'agent');
  return chosen.filter(isPushEnabled).map((user) => user.id);
}

export interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag: string;
}

export function pushPayloadFor(message: MessageTable): PushPayload {
  const preview = message.body ? (message.body.length > 140 ? message.body.slice(0, 139) + '…' : message.body) : message.media_count > 0 ? '📎 Picture/attachment' : '';
  return { title: `New message from ${message.from_number}`, body: preview, url: `/inbox/${encodeURIComponent(message.conversation_id)}`, tag: message.conversation_id };
}

/** Sends one payload to every subscription of the given users; drops subscriptions the push service says are gone. */
export async function sendPushToUsers(ctx: AppContext, tenantId: string, userIds: string[], payload: PushPayload): Promise<{ sent: number; failed: number; removed: number }> {
  const result = { sent: 0, failed: 0, removed: 0 };
  if (userIds.length === 0) return result;
  const db = pushDb(ctx.db);
  const subscriptions = await db.selectFrom('push_subscriptions').selectAll().where('tenant_id', '=', tenantId).where('user_id', 'in', userIds).execute();
  if (subscriptions.length === 0) return result;
  const keys = loadVapidKeys(ctx.config.dataDir);
  const subject = ctx.config.publicUrl.startsWith('https:') ? ctx.config.publicUrl : `mailto:${ctx.config.adminEmail ?? 'switchboard@localhost.invalid'}`;
  const body = JSON.stringify(payload);
  for (const subscription of subscriptions) {
    try {
      // web-push builds the encrypted, VAPID-signed request; it goes out through the guarded fetch
      // so a subscription endpoint on a private address is refused at connect time.
      const request = webpush.generateRequestDetails(
        { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
        body,
        { vapidDetails: { subject, publicKey: keys.publicKey, privateKey: keys.privateKey }, TTL: 3600, urgency: 'high' },
      );
      const { response, answer } = await withTimeout(10_000, async (signal) => {
        const response = await ctx.fetch(request.endpoint, { method: request.method, headers: request.headers as Record<string, string>, body: request.body ? new Uint8Array(request.body) : undefined, signal });
        return { response, answer: await response.text() };
      });
      if (response.status < 200 || response.status > 299) {
        throw Object.assign(new Error(`push service answered ${response.status}: ${answer.slice(0, 200)}`), { statusCode: response.status });
      }
      result.sent += 1;
      await db.updateTable('push_subscriptions').set({ last_success_at: now(), last_error: null }).where('id', '=', subscription.id).execute();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 410) {
        // The browser unsubscribed or the subscription expired.
        await db.deleteFrom('push_subscriptions').where('id', '=', subscription.id).execute();
        result.removed += 1;
      } else {
        result.failed += 1;
        const message = (error as Error).message ?? String(error);
        ctx.log.warn({ err: message, subscriptionId: subscription.id, status }, 'web push delivery failed');
        await db.updateTable('push_subscriptions').set({ last_error: message.slice(0, 500) }).where('id', '=', subscription.id).execute();
      }
    }
  }
  return result;
}
