/**
 * Sinch SMS REST API (xms v1) with a service plan and API token: `POST
 * {base}/xms/v1/{servicePlanId}/batches` (JSON, Bearer), answered 201 with the batch; MO and
 * delivery-report callbacks are JSON signed with HMAC headers (sinch.signature.ts).
 */
import { ProviderError, UnsupportedCapabilityError, WebhookAuthError, MalformedWebhookError } from '../core/errors.js';
import { callProvider, downloadMedia, header, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, StatusUpdate, WebhookRequest } from '../core/types.js';
import { sinchManifest } from './sinch.manifest.js';
import { isValidSinchSignature, SINCH_ALGORITHMS } from './sinch.signature.js';
import { SINCH_DELIVERY_CODES, SINCH_PROGRESS_CODES, SINCH_STATUS } from './sinch.status.js';
import { fromSinchNumber, type SinchBatchReport, type SinchInbound, type SinchRecipientReport } from './sinch.types.js';

/** Signed callbacks older or newer than this are refused as replays (the SDK leaves it to us). */
export const SINCH_WEBHOOK_TOLERANCE_MS = 5 * 60_000;

export function createSinchProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const provider = sinchManifest.type;
  const { servicePlanId = '', apiToken = '', webhookSecret = '' } = account.credentials;
  const baseUrl = account.baseUrl ?? sinchManifest.defaultBaseUrl.replace('{region}', account.credentials.region || 'us');
  const batchesUrl = joinUrl(baseUrl, `xms/v1/${encodeURIComponent(servicePlanId)}/batches`);
  const authorization = `Bearer ${apiToken}`;

  function batch(message: OutboundMessage): Record<string, unknown> {
    const common = { to: message.to, from: message.from, delivery_report: 'per_recipient', callback_url: message.statusCallbackUrl, client_reference: message.id };
    if (message.mediaUrls.length === 0) return { type: 'mt_text', body: message.body, ...common };
    return { type: 'mt_media', body: message.body ? { url: message.mediaUrls[0], message: message.body } : { url: message.mediaUrls[0] }, ...common };
  }

  async function send(message: OutboundMessage) {
    // A multi-recipient batch is separate messages, not a group MMS; one recipient keeps batch id = message id.
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(provider, 'group messages (one "to" per message)');
    if (message.mediaUrls.length > 1) throw new UnsupportedCapabilityError(provider, 'more than one media item per MMS');
    const response = await callProvider(deps.fetch, provider, {
      method: 'POST',
      url: batchesUrl,
      headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(batch(message)),
    });
    if (response.status >= 200 && response.status < 300) {
      if (typeof response.json?.id === 'string') return { providerMessageId: response.json.id as string, raw: response.json };
      throw new ProviderError(provider, 'unavailable', `${provider} answered ${response.status} without a batch id`, { httpStatus: response.status });
    }
    const code = typeof response.json?.code === 'string' ? (response.json.code as string) : undefined;
    // A 403 with a code is a refused request (unknown_group, missing_callback_url...), not bad credentials.
    const kind = response.status === 403 && code ? 'rejected' : undefined;
    return Promise.reject(httpError(provider, response, { providerCode: code, message: response.json?.text, kind }));
  }

  async function verifyWebhook(request: WebhookRequest) {
    const signature = header(request.headers, 'x-sinch-webhook-signature');
    const nonce = header(request.headers, 'x-sinch-webhook-signature-nonce');
    const timestamp = header(request.headers, 'x-sinch-webhook-signature-timestamp');
    if (!signature || !nonce || !timestamp) throw new WebhookAuthError('missing_signature', 'x-sinch-webhook-signature, -nonce and -timestamp headers are required; ask Sinch to enable HMAC callbacks');
    const algorithmName = header(request.headers, 'x-sinch-webhook-signature-algorithm') ?? 'HmacSHA256';
    const algorithm = SINCH_ALGORITHMS[algorithmName];
    if (!algorithm) throw new WebhookAuthError('bad_signature', `unsupported signature algorithm "${algorithmName}"`);
    if (!isValidSinchSignature(webhookSecret, request.rawBody, nonce, timestamp, signature, algorithm)) {
      throw new WebhookAuthError('bad_signature', 'x-sinch-webhook-signature does not match the body and SINCH_WEBHOOK_SECRET');
    }
    const seconds = Number(timestamp);
    if (!/^\d+$/.test(timestamp) || Math.abs(deps.clock().getTime() - seconds * 1000) > SINCH_WEBHOOK_TOLERANCE_MS) {
      throw new WebhookAuthError('stale_signature', `callback timestamp ${timestamp} is outside the ${SINCH_WEBHOOK_TOLERANCE_MS / 1000} s tolerance`);
    }
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new MalformedWebhookError('Sinch callback body is not JSON');
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new MalformedWebhookError('Sinch callback body is not a JSON object');
    switch (event.type) {
      case 'mo_text':
      case 'mo_binary':
      case 'mo_media':
        return { inbound: [parseInbound(event as unknown as SinchInbound)], statuses: [] };
      case 'recipient_delivery_report_sms':
      case 'recipient_delivery_report_mms':
        return { inbound: [], statuses: [parseRecipientReport(event as unknown as SinchRecipientReport)] };
      case 'delivery_report_sms':
      case 'delivery_report_mms':
        return { inbound: [], statuses: parseBatchReport(event as unknown as SinchBatchReport) };
      default:
        throw new MalformedWebhookError(`unknown Sinch callback type ${JSON.stringify(event.type)}`);
    }
  }

  function parseInbound(event: SinchInbound): InboundMessage {
    if (typeof event.id !== 'string' || typeof event.from !== 'string' || typeof event.to !== 'string') throw new MalformedWebhookError(`${event.type} needs id, from and to`);
    const message: InboundMessage = { providerMessageId: event.id, from: fromSinchNumber(event.from), to: [fromSinchNumber(event.to)], body: '', media: [], receivedAt: event.received_at, raw: event };
    if (event.type === 'mo_text') message.body = typeof event.body === 'string' ? event.body : '';
    if (event.type === 'mo_media') {
      const body = typeof event.body === 'object' && event.body !== null ? event.body : {};
      message.body = body.message ?? body.subject ?? '';
      // Media Sinch failed to store (status Failed, code != 0) has no usable URL.
      for (const item of Array.isArray(body.media) ? body.media : []) {
        if (typeof item?.url === 'string' && (item.code ?? 0) === 0 && item.status !== 'Failed') message.media.push({ url: item.url, contentType: item.content_type });
      }
    }
    return message;
  }

  function statusUpdate(batchId: unknown, providerStatus: unknown, code: unknown, at?: string): StatusUpdate {
    if (typeof batchId !== 'string' || !batchId || typeof providerStatus !== 'string') throw new MalformedWebhookError('delivery report needs batch_id and status');
    const status = SINCH_STATUS[providerStatus];
    const update: StatusUpdate = { providerMessageId: batchId, status: status ?? 'sent', providerStatus, at };
    if (!status) update.errorMessage = `unknown Sinch status "${providerStatus}"`;
    const errorCode = code === undefined || code === null ? undefined : String(code);
    if (errorCode && !SINCH_PROGRESS_CODES.has(errorCode)) {
      update.errorCode = errorCode;
      update.errorMessage = SINCH_DELIVERY_CODES[errorCode] ?? `Sinch delivery code ${errorCode}`;
    }
    return update;
  }

  const parseRecipientReport = (report: SinchRecipientReport) => statusUpdate(report.batch_id, report.status, report.code, report.operator_status_at ?? report.at);

  function parseBatchReport(report: SinchBatchReport): StatusUpdate[] {
    if (!Array.isArray(report.statuses) || report.statuses.length === 0) throw new MalformedWebhookError('delivery report has no statuses');
    return report.statuses.map((entry) => statusUpdate(report.batch_id, entry?.status, entry?.code));
  }

  /** Media is fetched plain first; only Sinch's own hosts get the API token after a 401/403. */
  async function fetchMedia(url: string) {
    try {
      return await downloadMedia(deps.fetch, provider, url);
    } catch (error) {
      const status = error instanceof ProviderError ? error.details.httpStatus : undefined;
      if ((status !== 401 && status !== 403) || !isSinchHost(url, baseUrl)) throw error;
      return downloadMedia(deps.fetch, provider, url, { authorization });
    }
  }

  return { manifest: sinchManifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'text/plain', body: '' }) };
}

function isSinchHost(url: string, baseUrl: string): boolean {
  try {
    const host = new URL(url).hostname;
    return /(^|\.)sinch\.com$/.test(host) || host === new URL(baseUrl).hostname;
  } catch {
    return false;
  }
}

export const sinchProvider: ProviderModule = { manifest: sinchManifest, create: createSinchProvider };
