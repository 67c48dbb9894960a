/**
 * Outbound event webhooks (F28): a tenant's endpoints, their sealed Standard Webhooks secrets
 * (shown once; rotation keeps the previous one signing for a grace period), and the shapes the
 * API answers with. Deliveries are in event-delivery.ts, fan-out from the event bus in event-fanout.ts.
 */
import type { AppContext } from '../../context.js';
import { now } from '../../db/client.js';
import type { Db } from '../../db/client.js';
import type { EventWebhookTable } from '../../db/schema.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import { PrivateAddressError } from '../../lib/net-guard.js';
import { newSigningSecret } from './signing.js';

export const EVENT_TYPES = ['message.received', 'message.status', 'message.created', 'conversation.updated', 'contact.created', 'contact.updated', 'optout.changed', 'workflow.run.failed'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** How long the previous secret keeps signing after a rotation, unless the caller says otherwise. */
export const DEFAULT_ROTATION_GRACE_HOURS = 24;

export interface ApiEventWebhook {
  id: string;
  url: string;
  description: string;
  events: EventType[];
  enabled: boolean;
  /** Why it was disabled automatically (persistent failure), or null. */
  disabledReason: string | null;
  disabledAt: string | null;
  rotation: { previousSecretExpiresAt: string } | null;
  createdAt: string;
  updatedAt: string;
}

export function serializeEventWebhook(row: EventWebhookTable): ApiEventWebhook {
  const rotating = row.previous_secret && row.previous_secret_expires_at && row.previous_secret_expires_at > now();
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as EventType[],
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    rotation: rotating ? { previousSecretExpiresAt: row.previous_secret_expires_at! } : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Refuses URLs that are not http(s) or that reach a private address the operator has not allowed. */
export async function checkEndpointUrl(ctx: AppContext, url: string): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('validation_error', `url "${url.slice(0, 200)}" is not an absolute URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new AppError('validation_error', `url must be http or https, not ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw new AppError('validation_error', 'url must not carry a user name or password');
  try {
    await ctx.net.checkUrl(parsed.toString());
  } catch (error) {
    if (error instanceof PrivateAddressError) throw new AppError('private_address', error.message);
    throw new AppError('validation_error', `url host ${parsed.hostname} cannot be used: ${(error as Error).message}`);
  }
  return parsed.toString();
}

export function checkEvents(events: string[]): EventType[] {
  const unknown = events.filter((event) => !(EVENT_TYPES as readonly string[]).includes(event));
  if (unknown.length > 0) throw new AppError('validation_error', `unknown event${unknown.length > 1 ? 's' : ''} ${unknown.map((e) => `"${e.slice(0, 50)}"`).join(', ')}; choose from ${EVENT_TYPES.join(', ')}`);
  if (events.length === 0) throw new AppError('validation_error', 'events must name at least one event');
  return [...new Set(events)] as EventType[];
}

export async function findEventWebhook(ctx: AppContext, tenantId: string, id: string): Promise<EventWebhookTable> {
  const row = await ctx.db.selectFrom('event_webhooks').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('event webhook', id);
  return row;
}

export function newEventWebhook(ctx: AppContext, tenantId: string, input: { url: string; description?: string; events: EventType[]; enabled?: boolean }): { row: EventWebhookTable; secret: string } {
  const secret = newSigningSecret();
  const at = now();
  return {
    secret,
    row: {
      id: newId('ewh'),
      tenant_id: tenantId,
      url: input.url,
      description: input.description ?? '',
      events: JSON.stringify(input.events),
      secret: ctx.secrets.seal(secret),
      previous_secret: null,
      previous_secret_expires_at: null,
      enabled: input.enabled === false ? 0 : 1,
      disabled_reason: null,
      disabled_at: null,
      created_at: at,
      updated_at: at,
    },
  };
}

/** The secrets that sign now: the current one, and the previous one while its rotation grace lasts. */
export function signingSecrets(ctx: AppContext, row: EventWebhookTable): string[] {
  const secrets = [ctx.secrets.open<string>(row.secret)];
  if (row.previous_secret && row.previous_secret_expires_at && row.previous_secret_expires_at > now()) secrets.push(ctx.secrets.open<string>(row.previous_secret));
  return secrets;
}

/** An enabled endpoint and the events it subscribes to, as the fan-out reads it. */
export interface SubscribedEndpoint {
  id: string;
  tenant_id: string;
  events: string[];
}

export async function loadSubscribedEndpoints(db: Db, tenantId: string): Promise<SubscribedEndpoint[]> {
  const rows = await db.selectFrom('event_webhooks').select(['id', 'tenant_id', 'events']).where('tenant_id', '=', tenantId).where('enabled', '=', 1).execute();
  return rows.map((row) => ({ id: row.id, tenant_id: row.tenant_id, events: JSON.parse(row.events) as string[] }));
}
