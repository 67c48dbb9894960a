/**
 * Provider webhook → verify → parse → storeInbound (one transaction, shared with every other
 * transport) → commit → 2xx. Refusals are answered and logged here.
 */
import type { AppContext } from '../context.js';
import type { ProviderAccountTable } from '../db/schema.js';
import { now } from '../db/client.js';
import { safeEqual } from '../lib/crypto.js';
import { MalformedWebhookError, WebhookAuthError } from '../providers/core/errors.js';
import { providerModule } from '../providers/core/registry.js';
import type { WebhookRequest } from '../providers/core/types.js';
import { storeInbound } from './ingest-inbound.js';
import { checkParsedWebhook, containsNul } from './inbound-shape.js';
import { RefusalLogLimiter } from './refusal-log-limiter.js';

// Callers of the former all-in-one module keep importing these from here.
export { PROCESS_INBOUND_JOB, applyStatusUpdate } from './ingest-inbound.js';

export type WebhookVerdict = 'accepted' | 'duplicate' | 'refused';

export interface WebhookOutcome {
  httpStatus: number;
  verdict: WebhookVerdict;
  reason: string | null;
  contentType: string;
  body: string;
  /** Ids of inbound messages stored by this request (new ones only). */
  messageIds: string[];
}

interface Refusal {
  status: number;
  code: string;
  message: string;
}

const refuse = (status: number, code: string, message: string): Refusal => ({ status, code, message });

/** Unauthenticated traffic cannot grow the diagnostics log without bound: refusals are logged at a bounded rate per source. */
const refusalLog = new RefusalLogLimiter({ perMinute: 30 });

/** Webhook URLs carry secret tokens (ClickSend, unsigned carriers): never store or show them. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}

/** A NUL byte, or one encoded for form bodies (%00) or JSON strings (\u0000). */
function hasNulBytes(body: Buffer): boolean {
  if (body.includes(0)) return true;
  const text = body.toString('latin1');
  return /%00|\\u0000/i.test(text);
}

export async function ingestWebhook(
  ctx: AppContext,
  input: { type: string; accountId?: string; request: WebhookRequest; remoteIp: string | null },
): Promise<WebhookOutcome> {
  const { request } = input;
  const clean = (value: string, max: number) => value.replace(/\u0000/g, '\uFFFD').slice(0, max);
  const logRow = { provider_type: clean(input.type, 40), method: request.method, url: clean(redactUrl(request.url), 500), remote_ip: input.remoteIp, created_at: now() };
  const refused = async (refusal: Refusal, account?: Pick<ProviderAccountTable, 'id' | 'tenant_id'>): Promise<WebhookOutcome> => {
    if (refusalLog.allow(input.remoteIp ?? 'unknown')) {
      try {
        await ctx.db
          .insertInto('webhook_log')
          .values({ ...logRow, tenant_id: account?.tenant_id ?? null, provider_account_id: account?.id ?? null, verdict: 'refused', reason: clean(`${refusal.code}: ${refusal.message}`, 1000), http_status: refusal.status })
          .execute();
      } catch (error) {
        ctx.log.error({ err: error }, 'could not log a refused webhook');
      }
    }
    ctx.log.warn({ provider: logRow.provider_type, accountId: account?.id, reason: refusal.code, detail: clean(refusal.message, 300) }, 'webhook refused');
    return { httpStatus: refusal.status, verdict: 'refused', reason: refusal.code, contentType: 'application/json', body: JSON.stringify({ error: { code: refusal.code, message: refusal.message } }), messageIds: [] };
  };

  const multipart = /multipart\//i.test(String(request.headers['content-type'] ?? ''));
  if (containsNul([input.type, input.accountId ?? '', request.query]) || (!multipart && hasNulBytes(request.rawBody))) {
    return refused(refuse(400, 'malformed', 'the request contains a NUL character'));
  }
  if (!providerModule(input.type)) return refused(refuse(404, 'unknown_account', `there is no provider type "${clean(input.type, 40)}"`));
  const account = await ctx.accounts.findForWebhook(input.type, input.accountId);
  if (!account) {
    // The classic set-up mistake: an existing account's id under another provider's path.
    const elsewhere = input.accountId ? await ctx.db.selectFrom('provider_accounts').select(['id', 'tenant_id', 'type', 'source', 'webhook_token']).where('id', '=', input.accountId).executeTakeFirst() : undefined;
    if (elsewhere) {
      const rightUrl = redactUrl(ctx.accounts.webhookUrl(elsewhere));
      return refused(refuse(404, 'wrong_url', `account ${elsewhere.id} is a ${elsewhere.type} account, but this request came to the ${clean(input.type, 40)} URL; give the carrier ${rightUrl}`), elsewhere);
    }
    return refused(refuse(404, 'unknown_account', input.accountId ? `no ${input.type} account ${clean(input.accountId, 60)}` : `no ${input.type} account is configured from the environment`));
  }
  const adapter = ctx.accounts.adapter(account);
  if (!adapter.manifest.capabilities.signedWebhooks && !safeEqual(request.query.token ?? '', account.webhook_token)) {
    return refused(refuse(403, 'bad_signature', 'the webhook URL token is missing or wrong; copy the URL shown for this account'), account);
  }
  try {
    await adapter.verifyWebhook(request);
  } catch (error) {
    if (error instanceof WebhookAuthError) {
      return refused(refuse(403, error.reason === 'stale_signature' ? 'stale_signature' : 'bad_signature', error.message), account);
    }
    throw error;
  }
  let parsed;
  try {
    parsed = adapter.parseWebhook(request);
  } catch (error) {
    // Anything an adapter trips over in a signed body is the body's fault: 400, never 5xx
    // (a carrier retries 5xx forever).
    if (!(error instanceof MalformedWebhookError)) ctx.log.warn({ err: error, provider: input.type }, 'adapter could not parse a signed webhook');
    return refused(refuse(400, 'malformed', error instanceof MalformedWebhookError ? error.message : `the body is not what ${input.type} sends: ${(error as Error).message}`), account);
  }
  const problem = checkParsedWebhook(parsed);
  if (problem) return refused(refuse(400, 'malformed', problem), account);

  const stored = await storeInbound(ctx, account, parsed, { transport: 'webhook', method: request.method, url: logRow.url, remoteIp: input.remoteIp, ackStatus: 200 });
  if (stored.kind === 'unknown_number') {
    return refused(refuse(404, 'unknown_number', `${stored.to.join(', ')} is not a number of ${input.type} account ${account.id}`), account);
  }
  const reply = adapter.webhookReply();
  return { httpStatus: 200, verdict: stored.verdict, reason: null, contentType: reply.contentType, body: reply.body, messageIds: stored.messageIds };
}
