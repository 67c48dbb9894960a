/**
 * Bandwidth Messaging API v2: JSON sends with API Basic auth to `/users/{accountId}/messages`
 * (202 = queued), webhooks as JSON arrays of events authenticated by the messaging application's
 * callback credentials (HTTP Basic), media downloaded with the API credentials.
 * https://dev.bandwidth.com/apis/messaging-apis/messaging/
 */
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, WebhookAuthError } from '../core/errors.js';
import { basicAuth, callProvider, downloadMedia, header, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, StatusUpdate, WebhookRequest } from '../core/types.js';
import { bandwidthManifest } from './bandwidth.manifest.js';
import { BANDWIDTH_OPT_OUT_CODES, BANDWIDTH_STATUS, failureStatus } from './bandwidth.status.js';
import type { BandwidthApiError, BandwidthEvent } from './bandwidth.types.js';

const PROVIDER = 'bandwidth';
const BANDWIDTH_MEDIA_ORIGIN = new URL(bandwidthManifest.defaultBaseUrl).origin;

export function createBandwidthProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const creds = account.credentials as { accountId: string; apiToken: string; apiSecret: string; applicationId: string; callbackUsername: string; callbackPassword: string };
  const baseUrl = account.baseUrl ?? bandwidthManifest.defaultBaseUrl;
  const apiAuth = basicAuth(creds.apiToken, creds.apiSecret);
  const callbackAuth = basicAuth(creds.callbackUsername ?? '', creds.callbackPassword ?? '');
  // Media URLs in events are absolute; only Bandwidth's own host (or our override) gets the API credentials.
  const mediaOrigins = new Set([BANDWIDTH_MEDIA_ORIGIN, new URL(baseUrl).origin]);

  async function send(message: OutboundMessage) {
    const body: Record<string, unknown> = { applicationId: creds.applicationId, to: message.to, from: message.from };
    if (message.body) body.text = message.body;
    if (message.mediaUrls.length > 0) body.media = message.mediaUrls;
    // Echoed in every callback for this message.
    body.tag = message.id;
    const response = await callProvider(deps.fetch, PROVIDER, {
      method: 'POST',
      url: joinUrl(baseUrl, `users/${encodeURIComponent(creds.accountId)}/messages`),
      headers: { authorization: apiAuth, 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status >= 200 && response.status < 300) {
      if (typeof response.json?.id !== 'string') throw new ProviderError(PROVIDER, 'unavailable', `bandwidth answered ${response.status} without a message id`);
      return { providerMessageId: response.json.id as string, raw: response.json };
    }
    const error = (response.json ?? {}) as BandwidthApiError;
    const fields = Array.isArray(error.fieldErrors) ? error.fieldErrors : [];
    const badRecipient = fields.some((field) => field?.fieldName === 'to');
    const detail = [error.description, ...fields.map((field) => `${field?.fieldName}: ${field?.description}`)].filter(Boolean).join('; ');
    const kind = response.status === 402 ? 'insufficient_funds' : response.status === 400 && badRecipient ? 'invalid_number' : undefined;
    throw httpError(PROVIDER, response, { providerCode: typeof error.type === 'string' ? error.type : undefined, message: detail || undefined, kind });
  }

  async function verifyWebhook(request: WebhookRequest) {
    const authorization = header(request.headers, 'authorization');
    if (!authorization) throw new WebhookAuthError('missing_signature', 'Authorization header is missing; set InboundCallbackCreds and OutboundCallbackCreds on the Bandwidth messaging application');
    if (!safeEqual(authorization, callbackAuth)) throw new WebhookAuthError('bad_signature', 'Authorization does not match BANDWIDTH_CALLBACK_USERNAME / BANDWIDTH_CALLBACK_PASSWORD');
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new MalformedWebhookError('body is not JSON');
    }
    // Bandwidth posts an array of events; the SDK's examples show a bare event, so accept both.
    const events = Array.isArray(body) ? body : [body];
    if (events.length === 0) throw new MalformedWebhookError('the event list is empty');
    const parsed: ParsedWebhook = { inbound: [], statuses: [] };
    for (const event of events as BandwidthEvent[]) {
      if (!event || typeof event !== 'object' || typeof event.type !== 'string') throw new MalformedWebhookError('every event needs a type');
      const id = event.message?.id;
      if (typeof id !== 'string' || !id) throw new MalformedWebhookError(`${event.type} event has no message.id`);
      if (event.type === 'message-received') parsed.inbound.push(parseInbound(id, event));
      else if (Object.hasOwn(BANDWIDTH_STATUS, event.type)) parsed.statuses.push(parseStatus(id, event));
      // Other types (RBM suggestion-response, requested-location-response) carry no SMS/MMS.
    }
    return parsed;
  }

  function parseInbound(id: string, event: BandwidthEvent): InboundMessage {
    const message = event.message!;
    const owner = message.owner ?? event.to;
    if (typeof message.from !== 'string' || typeof owner !== 'string') throw new MalformedWebhookError('message.from and message.owner are required');
    if (message.to !== undefined && !Array.isArray(message.to)) throw new MalformedWebhookError('message.to must be a list');
    if (message.media !== undefined && !Array.isArray(message.media)) throw new MalformedWebhookError('message.media must be a list');
    const media = (message.media ?? [])
      .filter((url) => {
        if (typeof url !== 'string') throw new MalformedWebhookError('message.media must hold URLs');
        // The SMIL part only lays out the slides; it is not content.
        return !/\.smil$/i.test(url.split('?')[0]!);
      })
      .map((url) => ({ url }));
    // Group copies: `owner` is our number for this copy, `to` holds every participant.
    const to = [owner, ...(message.to ?? []).filter((n) => n !== owner)];
    return { providerMessageId: id, from: message.from, to, body: message.text ?? '', media, receivedAt: message.time ?? event.time, raw: event };
  }

  function parseStatus(id: string, event: BandwidthEvent): StatusUpdate {
    const providerStatus = event.type!;
    const errorCode = event.errorCode !== undefined && event.errorCode !== null ? String(event.errorCode) : undefined;
    const status = providerStatus === 'message-failed' ? failureStatus(errorCode) : BANDWIDTH_STATUS[providerStatus]!;
    const update: StatusUpdate = { providerMessageId: id, status, providerStatus, at: event.time };
    if (errorCode) {
      update.errorCode = errorCode;
      update.errorMessage = event.description || `bandwidth error ${errorCode}`;
      update.optedOut = BANDWIDTH_OPT_OUT_CODES.has(errorCode);
    }
    return update;
  }

  return {
    manifest: bandwidthManifest,
    send,
    verifyWebhook,
    parseWebhook,
    fetchMedia: (url) => downloadMedia(deps.fetch, PROVIDER, url, mediaOrigins.has(new URL(url).origin) ? { authorization: apiAuth } : {}),
    webhookReply: () => ({ contentType: 'application/json', body: '{}' }),
  };
}

export const bandwidthProvider: ProviderModule = { manifest: bandwidthManifest, create: createBandwidthProvider };
