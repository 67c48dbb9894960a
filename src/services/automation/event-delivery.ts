/**
 * Delivery of one event to one endpoint (F28), as a durable job: a signed POST through the
 * guarded fetch, every attempt logged (status, latency, first bytes of the answer), retried on
 * the configured schedule (about a day). A delivery that exhausts its schedule disables the
 * endpoint, with a notice on the endpoint (dashboard) and an email to owners when SMTP is set.
 */
import type { Transaction } from 'kysely';
import nodemailer from 'nodemailer';
import type { AppContext } from '../../context.js';
import { now } from '../../db/client.js';
import type { Database, EventDeliveryTable, EventWebhookTable } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import { RetryLater, type JobDefinition } from '../../jobs/queue.js';
import { signedHeaders } from './signing.js';
import { signingSecrets } from './event-webhooks.js';
import { withTimeout } from '../../lib/timeout.js';

export const DELIVER_EVENT_JOB = 'event.deliver';
const TIMEOUT_MS = 15_000;
const EXCERPT_BYTES = 512;

export interface DeliveryPayload {
  deliveryId: string;
  /** Attempts the delivery had when this round began (a resend starts a new round). */
  roundStart?: number;
  /** Asked for by a person (resend, test event): sent even to a disabled endpoint. */
  manual?: boolean;
}

/**
 * Stores a delivery of `body` to `endpoint` and its job, in the caller's transaction. With a
 * dedupe key, an event already delivered to this endpoint is not stored again (returns null).
 */
export async function enqueueDelivery(
  ctx: AppContext,
  trx: Transaction<Database>,
  endpoint: Pick<EventWebhookTable, 'id' | 'tenant_id'>,
  eventType: string,
  body: string,
  options: { manual?: boolean; dedupeKey?: string | null } = {},
): Promise<string | null> {
  const at = now();
  const id = newId('msg');
  const manual = options.manual ?? false;
  const result = await trx
    .insertInto('event_deliveries')
    .values({ id, tenant_id: endpoint.tenant_id, endpoint_id: endpoint.id, event_type: eventType, dedupe_key: options.dedupeKey ?? null, payload: body, status: 'pending', attempts: 0, last_status_code: null, next_attempt_at: at, created_at: at, updated_at: at })
    .onConflict((oc) => oc.columns(['endpoint_id', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return null;
  await ctx.queue.enqueue(trx, DELIVER_EVENT_JOB, { deliveryId: id, roundStart: 0, manual } satisfies DeliveryPayload, { tenantId: endpoint.tenant_id });
  return id;
}

/** Sends a delivery again now (a new round of retries); returns false when it is still pending. */
export async function resendDelivery(ctx: AppContext, delivery: EventDeliveryTable): Promise<boolean> {
  const started = await ctx.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('event_deliveries')
      .set({ status: 'pending', next_attempt_at: now(), updated_at: now() })
      .where('id', '=', delivery.id)
      .where('status', '<>', 'pending')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await ctx.queue.enqueue(trx, DELIVER_EVENT_JOB, { deliveryId: delivery.id, roundStart: delivery.attempts, manual: true } satisfies DeliveryPayload, { tenantId: delivery.tenant_id });
    return true;
  });
  if (started) ctx.queue.wake();
  return started;
}

interface AttemptResult {
  statusCode: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
}

async function post(ctx: AppContext, endpoint: EventWebhookTable, delivery: EventDeliveryTable): Promise<AttemptResult> {
  const started = Date.now();
  try {
    const { response, excerpt } = await withTimeout(TIMEOUT_MS, async (signal) => {
      const response = await ctx.fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Switchboard-Webhooks/1', ...signedHeaders(signingSecrets(ctx, endpoint), delivery.id, delivery.payload) },
        body: delivery.payload,
        signal,
      });
      return { response, excerpt: await readExcerpt(response) };
    });
    return { statusCode: response.status, latencyMs: Date.now() - started, excerpt, error: null };
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    const message = (error as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : [(error as Error).message, cause?.message].filter(Boolean).join(': ');
    return { statusCode: null, latencyMs: Date.now() - started, excerpt: null, error: message.slice(0, 500) };
  }
}

/** The first bytes of the answer, without reading a huge body to its end. */
export async function readExcerpt(response: Response, maxBytes = EXCERPT_BYTES): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8').replace(/\u0000/g, '');
}

export function deliverEventJob(ctx: AppContext): JobDefinition<DeliveryPayload> {
  const schedule = ctx.config.eventWebhookRetryMs;
  return {
    name: DELIVER_EVENT_JOB,
    // Retries are scheduled by the handler (RetryLater); this only bounds crashes of the handler itself.
    maxAttempts: 100,
    concurrency: 8,
    async handle({ deliveryId, roundStart = 0, manual = false }, { log }) {
      const delivery = await ctx.db.selectFrom('event_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
      if (!delivery || delivery.status !== 'pending') return;
      const endpoint = await ctx.db.selectFrom('event_webhooks').selectAll().where('tenant_id', '=', delivery.tenant_id).where('id', '=', delivery.endpoint_id).executeTakeFirst();
      if (!endpoint) return;
      if (endpoint.enabled !== 1 && !manual) {
        await ctx.db.updateTable('event_deliveries').set({ status: 'failed', next_attempt_at: null, updated_at: now() }).where('id', '=', delivery.id).execute();
        return;
      }
      const attempt = delivery.attempts + 1;
      const result = await post(ctx, endpoint, delivery);
      const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
      const round = attempt - roundStart;
      const retryIn = ok ? null : round <= schedule.length ? schedule[round - 1]! : null;
      const at = now();
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('event_delivery_attempts')
          .values({ id: newId('att'), tenant_id: delivery.tenant_id, delivery_id: delivery.id, endpoint_id: endpoint.id, attempt, status_code: result.statusCode, latency_ms: result.latencyMs, response_excerpt: result.excerpt, error: result.error, created_at: at })
          .execute();
        await trx
          .updateTable('event_deliveries')
          .set({
            attempts: attempt,
            last_status_code: result.statusCode,
            status: ok ? 'succeeded' : retryIn === null ? 'failed' : 'pending',
            next_attempt_at: retryIn === null ? null : new Date(Date.now() + retryIn).toISOString(),
            updated_at: at,
          })
          .where('id', '=', delivery.id)
          .execute();
      });
      if (ok) return;
      const why = result.statusCode !== null ? `HTTP ${result.statusCode}` : (result.error ?? 'no answer');
      if (retryIn !== null) throw new RetryLater(retryIn, `event delivery to ${endpoint.url} failed (${why}); attempt ${round} of ${schedule.length + 1}`);
      log.warn({ endpointId: endpoint.id, deliveryId, why }, 'event delivery failed on every attempt');
      if (!manual) await disableEndpoint(ctx, endpoint, `deliveries failed for ${round} attempts in a row (last: ${why}); fix the endpoint, then enable it again`);
    },
  };
}

/** Persistent failure: stop sending, leave a notice on the endpoint, and email owners when SMTP is set. */
async function disableEndpoint(ctx: AppContext, endpoint: EventWebhookTable, reason: string): Promise<void> {
  const result = await ctx.db
    .updateTable('event_webhooks')
    .set({ enabled: 0, disabled_reason: reason, disabled_at: now(), updated_at: now() })
    .where('id', '=', endpoint.id)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return;
  ctx.eventWebhookEndpoints.changed(endpoint.tenant_id);
  ctx.log.warn({ endpointId: endpoint.id, tenantId: endpoint.tenant_id }, 'event webhook disabled after persistent failure');
  ctx.events.publish({ type: 'event_webhook.disabled', tenantId: endpoint.tenant_id, data: { id: endpoint.id, reason } });
  if (!ctx.config.smtpUrl || !ctx.config.mailFrom) return;
  const owners = await ctx.db.selectFrom('users').select('email').where('tenant_id', '=', endpoint.tenant_id).where('role', '=', 'owner').execute();
  if (owners.length === 0) return;
  try {
    await nodemailer.createTransport(ctx.config.smtpUrl).sendMail({
      from: ctx.config.mailFrom,
      to: owners.map((o) => o.email),
      subject: 'Switchboard: an event webhook was disabled',
      text: `The event webhook ${endpoint.url} (${endpoint.id}) was disabled: ${reason}.\n\nSee ${ctx.config.publicUrl}/admin/webhooks for its delivery log.`,
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  } catch (error) {
    ctx.log.error({ err: error, endpointId: endpoint.id }, 'could not email the webhook-disabled notice; it is shown in the dashboard');
  }
}
