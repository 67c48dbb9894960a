/**
 * The one place events reach subscribed endpoints (F28): the event bus hands every event it
 * publishes to this sink, which stores one delivery (with its exact body) and one durable job per
 * subscribed endpoint in a single transaction.
 *
 * Events are published after the change they describe has committed, so the fan-out insert is a
 * second transaction. It is retried in-process with backoff; if the database still refuses, the
 * loss is logged at error level with the event type and id (never silent). A graceful shutdown
 * waits for fan-outs in flight (EventBus.stop). The remaining gap is a crash between the commit
 * and this insert (milliseconds).
 */
import type { AppContext } from '../../context.js';
import type { AppEvent } from '../events.js';
import { serializeConversations, serializeMessage } from '../serialize.js';
import { serializeContacts } from '../routing/contacts.js';
import { routingDb } from '../routing/tables.js';
import { enqueueDelivery } from './event-delivery.js';
import { EVENT_TYPES } from './event-webhooks.js';

const ATTEMPTS = 5;

export function eventFanout(ctx: AppContext): (event: AppEvent) => Promise<void> {
  return async (event) => {
    // Internal (extension-to-extension) events are addressed to users, not to integrations.
    if (!(EVENT_TYPES as readonly string[]).includes(event.type) || event.userIds) return;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await fanOut(ctx, event);
        return;
      } catch (error) {
        if (attempt >= ATTEMPTS) {
          ctx.log.error({ err: error, eventType: event.type, tenantId: event.tenantId, subject: (event.data as { id?: string })?.id }, 'event could not be queued for its webhooks; it was not delivered');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  };
}

async function fanOut(ctx: AppContext, event: AppEvent): Promise<void> {
  const endpoints = (await ctx.eventWebhookEndpoints.get(event.tenantId)).filter((endpoint) => endpoint.events.includes(event.type));
  if (endpoints.length === 0) return;
  const data = await apiShape(ctx, event);
  if (data === null) return;
  const body = JSON.stringify({ type: event.type, timestamp: new Date().toISOString(), data });
  const dedupeKey = dedupeKeyOf(event);
  await ctx.db.transaction().execute(async (trx) => {
    for (const endpoint of endpoints) await enqueueDelivery(ctx, trx, endpoint, event.type, body, { dedupeKey });
  });
  ctx.queue.wake();
}

/**
 * Events about a message happen once per message (and status): a job that runs again, or a
 * publisher announcing the same status twice, does not deliver them twice.
 */
function dedupeKeyOf(event: AppEvent): string | null {
  const data = (event.data ?? {}) as { id?: string; status?: string };
  if (!data.id) return null;
  if (event.type === 'message.received' || event.type === 'message.created') return `${event.type}:${data.id}`;
  if (event.type === 'message.status' && data.status) return `${event.type}:${data.id}:${data.status}`;
  return null;
}

/** The event's subject in the REST API's shape; null when it no longer exists. */
async function apiShape(ctx: AppContext, event: AppEvent): Promise<unknown> {
  const raw = (event.data ?? {}) as { id?: string; status?: string; error?: unknown };
  switch (event.type) {
    case 'message.received':
    case 'message.created':
    case 'message.status': {
      const row = raw.id ? await ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', event.tenantId).where('id', '=', raw.id).executeTakeFirst() : undefined;
      if (!row) return null;
      const message = await serializeMessage(ctx.db, ctx.media, row);
      // The status of this transition, not whatever the message reached since.
      return event.type === 'message.status' && raw.status ? { ...message, status: raw.status, error: raw.error ?? message.error } : message;
    }
    case 'conversation.updated': {
      const row = raw.id ? await ctx.db.selectFrom('conversations').selectAll().where('tenant_id', '=', event.tenantId).where('id', '=', raw.id).executeTakeFirst() : undefined;
      return row ? (await serializeConversations(ctx.db, [row]))[0]! : null;
    }
    case 'contact.created':
    case 'contact.updated': {
      const row = raw.id ? await routingDb(ctx.db).selectFrom('contacts').selectAll().where('tenant_id', '=', event.tenantId).where('id', '=', raw.id).executeTakeFirst() : undefined;
      return row ? (await serializeContacts(ctx, [row]))[0]! : null;
    }
    default:
      return event.data;
  }
}
