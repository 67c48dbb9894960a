/**
 * Vonage Messages API v1: `POST {base}/v1/messages` (JSON, Bearer application JWT), answered 202
 * with a message_uuid; inbound and status webhooks are JSON with `Authorization: Bearer <JWT>`
 * (HS256, signature secret) whose payload_hash covers the body. https://developer.vonage.com/en/api/messages
 */
import { ProviderError, UnsupportedCapabilityError, WebhookAuthError, MalformedWebhookError } from '../core/errors.js';
import { callProvider, downloadMedia, header, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMedia, OutboundMessage, ParsedWebhook, ProviderAdapter, ProviderManifest, StatusUpdate, WebhookRequest } from '../core/types.js';
import { applicationJwt, sha256Hex, verifyHs256 } from './vonage.signature.js';
import { VONAGE_MESSAGES_ERROR_KIND, VONAGE_MESSAGES_STATUS, VONAGE_OPT_OUT_CODES } from './vonage.status.js';
import { fromVonageNumber, parseJsonObject, toVonageNumber, type VonageMessagesEvent } from './vonage.types.js';

export interface VonageMessagesOptions {
  manifest: ProviderManifest;
  baseUrl: string;
  apiKey?: string;
  applicationId?: string;
  privateKey?: string;
  signatureSecret: string;
  toleranceMs: number;
}

const MEDIA_KINDS = ['image', 'video', 'audio', 'file', 'vcard'] as const;

export function createVonageMessagesAdapter(options: VonageMessagesOptions, deps: AdapterDeps): ProviderAdapter {
  const provider = options.manifest.type;
  const sendUrl = joinUrl(options.baseUrl, 'v1/messages');
  let cachedJwt: { token: string; until: number } | null = null;

  /** One token serves many sends (Vonage allows reuse until exp); renewed well before it expires. */
  function bearer(): string {
    const now = deps.clock().getTime();
    if (!cachedJwt || cachedJwt.until <= now) {
      if (!options.applicationId || !options.privateKey) throw new ProviderError(provider, 'auth_failed', 'vonage api=messages needs applicationId and privateKey (VONAGE_APPLICATION_ID, VONAGE_PRIVATE_KEY)');
      try {
        cachedJwt = { token: applicationJwt(options.applicationId, options.privateKey, Math.floor(now / 1000)), until: now + 5 * 60_000 };
      } catch (error) {
        throw new ProviderError(provider, 'auth_failed', `VONAGE_PRIVATE_KEY is not a usable PEM private key: ${(error as Error).message}`, { cause: error });
      }
    }
    return `Bearer ${cachedJwt.token}`;
  }

  function requestBody(message: OutboundMessage): Record<string, unknown> {
    const common = { to: toVonageNumber(message.to[0]!), from: toVonageNumber(message.from), client_ref: message.id, webhook_url: message.statusCallbackUrl, webhook_version: 'v1' };
    if (message.mediaUrls.length === 0) return { message_type: 'text', channel: 'sms', text: message.body, ...common };
    // MMS (US): one media object per message; the text travels as the image caption.
    return { message_type: 'image', channel: 'mms', image: message.body ? { url: message.mediaUrls[0], caption: message.body } : { url: message.mediaUrls[0] }, ...common };
  }

  async function send(message: OutboundMessage) {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(provider, 'group messages (one "to" per message)');
    if (message.mediaUrls.length > 1) throw new UnsupportedCapabilityError(provider, 'more than one media item per MMS');
    const response = await callProvider(deps.fetch, provider, {
      method: 'POST',
      url: sendUrl,
      headers: { authorization: bearer(), 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(requestBody(message)),
    });
    if (response.status >= 200 && response.status < 300) {
      if (typeof response.json?.message_uuid === 'string') return { providerMessageId: response.json.message_uuid as string, raw: response.json };
      throw new ProviderError(provider, 'unavailable', `${provider} answered ${response.status} without a message_uuid`, { httpStatus: response.status });
    }
    if (response.status === 401) cachedJwt = null;
    const code = errorCode(response.json?.type, response.json?.title);
    const detail = [response.json?.title, response.json?.detail].filter(Boolean).join(': ') || undefined;
    return Promise.reject(httpError(provider, response, { providerCode: code, message: detail, kind: code ? VONAGE_MESSAGES_ERROR_KIND[code] : undefined }));
  }

  async function verifyWebhook(request: WebhookRequest) {
    const authorization = header(request.headers, 'authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!token) throw new WebhookAuthError('missing_signature', 'Authorization: Bearer <JWT> is missing; signed webhooks are on by default for the Messages API');
    const claims = verifyHs256(token, options.signatureSecret);
    if (!claims) throw new WebhookAuthError('bad_signature', 'the webhook JWT is not HS256-signed with VONAGE_SIGNATURE_SECRET');
    if (claims.payload_hash !== sha256Hex(request.rawBody)) throw new WebhookAuthError('bad_signature', 'the JWT payload_hash does not match the body');
    if (options.apiKey && claims.api_key !== undefined && claims.api_key !== options.apiKey) throw new WebhookAuthError('bad_signature', `the JWT is for api_key ${String(claims.api_key)}`);
    const iat = Number(claims.iat);
    if (!Number.isFinite(iat) || Math.abs(deps.clock().getTime() - iat * 1000) > options.toleranceMs) {
      throw new WebhookAuthError('stale_signature', `the webhook JWT iat ${String(claims.iat)} is outside the ${options.toleranceMs / 1000} s tolerance`);
    }
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const event = parseJsonObject<VonageMessagesEvent>(request.rawBody, 'Vonage Messages webhook');
    const id = event.message_uuid;
    if (typeof id !== 'string' || !id) throw new MalformedWebhookError('message_uuid is missing');
    if (event.status !== undefined) return { inbound: [], statuses: [parseStatus(id, event)] };
    if (typeof event.from !== 'string' || typeof event.to !== 'string') throw new MalformedWebhookError('from and to are required');
    const media: InboundMedia[] = [];
    let body = typeof event.text === 'string' ? event.text : '';
    for (const kind of MEDIA_KINDS) {
      const item = event[kind];
      if (!item) continue;
      if (typeof item.url !== 'string') throw new MalformedWebhookError(`${kind}.url is missing`);
      media.push({ url: item.url });
      if ('caption' in item && typeof item.caption === 'string' && !body) body = item.caption;
    }
    return { inbound: [{ providerMessageId: id, from: fromVonageNumber(event.from), to: [fromVonageNumber(event.to)], body, media, receivedAt: event.timestamp, raw: event }], statuses: [] };
  }

  function parseStatus(id: string, event: VonageMessagesEvent): StatusUpdate {
    const providerStatus = String(event.status);
    const status = VONAGE_MESSAGES_STATUS[providerStatus];
    const update: StatusUpdate = { providerMessageId: id, status: status ?? 'sent', providerStatus, at: event.timestamp };
    if (!status) update.errorMessage = `unknown Vonage Messages status "${providerStatus}"`;
    if (event.error) {
      update.errorCode = errorCode(event.error.type, event.error.title) ?? 'error';
      update.errorMessage = [event.error.title, event.error.detail].filter(Boolean).join(': ') || `Vonage error ${update.errorCode}`;
      update.optedOut = VONAGE_OPT_OUT_CODES.has(update.errorCode);
    }
    return update;
  }

  /** Vonage media is fetched plain first; their own hosts may want the application JWT. */
  async function fetchMedia(url: string) {
    try {
      return await downloadMedia(deps.fetch, provider, url);
    } catch (error) {
      const status = error instanceof ProviderError ? error.details.httpStatus : undefined;
      if ((status !== 401 && status !== 403) || !isVonageHost(url, options.baseUrl) || !options.applicationId) throw error;
      return downloadMedia(deps.fetch, provider, url, { authorization: bearer() });
    }
  }

  return { manifest: options.manifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'text/plain', body: '' }) };
}

/** The numeric code ending an RFC 7807 `type` URL (`...messages#1150`), else its name, else a numeric title. */
function errorCode(type: unknown, title: unknown): string | undefined {
  const fragment = typeof type === 'string' ? type.split('#')[1] : undefined;
  if (fragment) return fragment;
  return typeof title === 'string' && /^\d+$/.test(title) ? title : undefined;
}

/** Our JWT goes only to Vonage's hosts or the account's own base URL host, never to a third party. */
function isVonageHost(url: string, baseUrl: string): boolean {
  try {
    const host = new URL(url).hostname;
    return /(^|\.)(vonage\.com|nexmo\.com)$/.test(host) || host === new URL(baseUrl).hostname;
  } catch {
    return false;
  }
}
