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

export async function ingestWebhook(
  ctx: AppContext,
  input: { type: string; accountId?: string; request: WebhookRequest; remoteIp: string | null },
): Promise<WebhookOutcome> {
  const { request } = input;
  const logRow = { provider_type: input.type.slice(0, 40), method: request.method, url: request.url.slice(0, 500), remote_ip: input.remoteIp, created_at: now() };
  const refused = async (refusal: Refusal, account?: ProviderAccountTable): Promise<WebhookOutcome> => {
    await ctx.db
      .insertInto('webhook_log')
      .values({ ...logRow, tenant_id: account?.tenant_id ?? null, provider_account_id: account?.id ?? null, verdict: 'refused', reason: `${refusal.code}: ${refusal.message}`, http_status: refusal.status })
      .execute();
    ctx.log.warn({ provider: input.type, accountId: account?.id, reason: refusal.code, detail: refusal.message }, 'webhook refused');
    return { httpStatus: refusal.status, verdict: 'refused', reason: refusal.code, contentType: 'application/json', body: JSON.stringify({ error: { code: refusal.code, message: refusal.message } }), messageIds: [] };
  };

  if (!providerModule(input.type)) return refused(refuse(404, 'unknown_account', `there is no provider type "${input.type}"`));
  const account = await ctx.accounts.findForWebhook(input.type, input.accountId);
  if (!account) {
    return refused(refuse(404, 'unknown_account', input.accountId ? `no ${input.type} account ${input.accountId}` : `no ${input.type} account is configured from the environment`));
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
    if (error instanceof MalformedWebhookError) return refused(refuse(400, 'malformed', error.message), account);
    throw error;
  }

  const stored = await storeInbound(ctx, account, parsed, { transport: 'webhook', method: request.method, url: logRow.url, remoteIp: input.remoteIp, ackStatus: 200 });
  if (stored.kind === 'unknown_number') {
    return refused(refuse(404, 'unknown_number', `${stored.to.join(', ')} is not a number of ${input.type} account ${account.id}`), account);
  }
  const reply = adapter.webhookReply();
  return { httpStatus: 200, verdict: stored.verdict, reason: null, contentType: reply.contentType, body: reply.body, messageIds: stored.messageIds };
}
