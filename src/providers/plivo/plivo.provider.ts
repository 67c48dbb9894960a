/**
 * Plivo Messaging API: JSON sends to /v1/Account/{auth_id}/Message/ with Basic auth, form-encoded
 * inbound and status webhooks signed with X-Plivo-Signature-V3 (plivo.signature.ts).
 * https://www.plivo.com/docs/messaging/api/message/send-a-message
 */
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError, type ProviderErrorKind } from '../core/errors.js';
import { basicAuth, callProvider, downloadMedia, formPairs, header, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, StatusUpdate, WebhookRequest } from '../core/types.js';
import { plivoManifest } from './plivo.manifest.js';
import { isValidPlivoSignatureV3 } from './plivo.signature.js';
import { PLIVO_ERROR_REASON, PLIVO_OPT_OUT_CODES, PLIVO_STATUS, plivoErrorCode } from './plivo.status.js';

const SIGNATURE_HEADERS = ['x-plivo-signature-v3', 'x-plivo-signature-ma-v3'];
const NONCE_HEADERS = ['x-plivo-signature-v3-nonce', 'x-plivo-signature-ma-v3-nonce'];

/** Plivo wants numbers as digits with the country code and no `+`; sender IDs pass unchanged. */
export function plivoAddress(value: string): string {
  return /^\+\d+$/.test(value) ? value.slice(1) : value;
}

/** Webhooks carry `14155550199`; ours are E.164. */
function toE164Digits(value: string): string {
  return /^\d{7,15}$/.test(value) ? `+${value}` : value;
}

/** Plivo reports send failures as free text (`{"api_id","error"}`), so the kind is read from it. */
function sendErrorKind(status: number, text: string): ProviderErrorKind | undefined {
  if (status === 401 || status === 403 || status === 429 || status >= 500) return undefined;
  if (/opt(ed)?[\s_-]?out|unsubscribed|blocked/i.test(text)) return 'opted_out';
  if (/insufficient|credit|balance/i.test(text)) return 'insufficient_funds';
  if (/\bdst\b|destination/i.test(text)) return 'invalid_number';
  return undefined;
}

export function createPlivoProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { authId, authToken } = account.credentials as { authId: string; authToken: string };
  const provider = plivoManifest.type;
  const auth = basicAuth(authId, authToken);
  // The SDK's own override (`https://host/v1/Account/{id}`) is accepted as a base too.
  const base = (account.baseUrl ?? plivoManifest.defaultBaseUrl).replace(/\/v1(\/Account\/[^/]+)?\/?$/, '');
  const messageUrl = joinUrl(base, `v1/Account/${encodeURIComponent(authId)}/Message/`);
  const trustedMediaHosts = new Set([new URL(base).host]);

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(provider, 'group messages (one "to" per message)');
    const isMms = message.mediaUrls.length > 0;
    const payload: Record<string, unknown> = { src: plivoAddress(message.from), dst: plivoAddress(message.to[0]!), type: isMms ? 'mms' : 'sms' };
    if (message.body || !isMms) payload.text = message.body;
    if (isMms) payload.media_urls = message.mediaUrls;
    payload.url = message.statusCallbackUrl;
    payload.method = 'POST';
    const response = await callProvider(deps.fetch, provider, {
      method: 'POST',
      url: messageUrl,
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
    });
    const uuid = response.json?.message_uuid?.[0];
    if (response.status >= 200 && response.status < 300) {
      if (typeof uuid === 'string' && uuid) return { providerMessageId: uuid, status: 'queued', raw: response.json };
      throw new ProviderError(provider, 'unavailable', `${provider} answered ${response.status} without a message_uuid`, { httpStatus: response.status });
    }
    const error = response.json?.error;
    const text = typeof error === 'string' ? error : error ? JSON.stringify(error) : response.text.slice(0, 200);
    throw httpError(provider, response, { message: text, kind: sendErrorKind(response.status, text) });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const signatures = SIGNATURE_HEADERS.map((name) => header(request.headers, name)).filter((value): value is string => Boolean(value));
    const nonce = NONCE_HEADERS.map((name) => header(request.headers, name)).find(Boolean);
    if (signatures.length === 0 || !nonce) throw new WebhookAuthError('missing_signature', 'X-Plivo-Signature-V3 or its nonce header is missing');
    const params = request.method === 'GET' ? [] : formPairs(request.rawBody);
    if (!signatures.some((signature) => isValidPlivoSignatureV3(authToken, request.method, request.url, params, nonce, signature))) {
      throw new WebhookAuthError('bad_signature', `X-Plivo-Signature-V3 does not match ${request.url}`);
    }
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = new Map(request.method === 'GET' ? Object.entries(request.query) : formPairs(request.rawBody));
    const uuid = fields.get('MessageUUID');
    if (!uuid) throw new MalformedWebhookError('MessageUUID is missing');
    const providerStatus = fields.get('Status');
    if (!providerStatus || PLIVO_STATUS[providerStatus] === 'received') return { inbound: [parseInbound(uuid, fields)], statuses: [] };
    const status = PLIVO_STATUS[providerStatus];
    const update: StatusUpdate = { providerMessageId: uuid, status: status ?? 'sent', providerStatus };
    if (!status) update.errorMessage = `unknown ${provider} status "${providerStatus}"`;
    const errorCode = plivoErrorCode(fields.get('ErrorCode'));
    if (errorCode) {
      update.errorCode = errorCode;
      update.errorMessage = `Plivo error ${errorCode}: ${PLIVO_ERROR_REASON[errorCode] ?? 'see Plivo error codes'}`;
      update.optedOut = PLIVO_OPT_OUT_CODES.has(errorCode);
    }
    return { inbound: [], statuses: [update] };
  }

  function parseInbound(uuid: string, fields: Map<string, string>): InboundMessage {
    const from = fields.get('From');
    const to = fields.get('To');
    if (!from || !to) throw new MalformedWebhookError('From and To are required');
    const text = fields.get('Text') ?? fields.get('Body');
    if (text === undefined) throw new MalformedWebhookError('Text (SMS) or Body (MMS) is missing');
    // Docs number media Media1..N; older support notes say Media0..N — read whichever is present.
    const media = [...fields.keys()]
      .map((key) => /^Media(\d+)$/.exec(key))
      .filter((match): match is RegExpExecArray => match !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((match) => ({ url: fields.get(match[0])! }));
    const count = fields.get('MediaCount');
    if (count !== undefined && (!/^\d{1,2}$/.test(count) || media.length !== Number(count))) {
      throw new MalformedWebhookError(`MediaCount "${count}" does not match ${media.length} Media fields`);
    }
    return { providerMessageId: uuid, from: toE164Digits(from), to: [toE164Digits(to)], body: text, media, raw: Object.fromEntries(fields) };
  }

  async function fetchMedia(url: string) {
    // Plivo's media host may want the account's Basic auth (unconfirmed); never send it elsewhere.
    const host = new URL(url).host;
    const isPlivoHost = host === 'plivo.com' || host.endsWith('.plivo.com') || trustedMediaHosts.has(host);
    return downloadMedia(deps.fetch, provider, url, isPlivoHost ? { authorization: auth } : {});
  }

  return {
    manifest: plivoManifest,
    send,
    verifyWebhook,
    parseWebhook,
    fetchMedia,
    // Plivo reads an XML answer on message_url; an empty <Response/> sends no reply.
    webhookReply: () => ({ contentType: 'application/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' }),
  };
}

export const plivoProvider: ProviderModule = { manifest: plivoManifest, create: createPlivoProvider };
