/**
 * Skyetel SMS & MMS API v1: POST {base}/v1/out?from=<11 digits> with a JSON `{to, text, media}`
 * and Basic auth (SID : secret). Inbound messages arrive on each number's callback URL as JSON
 * `{from, to, text, media}`; there are no delivery receipts and no signature, so the callback URL
 * carries the account's token and a send ends at `sent`.
 */
import { createHash } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { basicAuth, callProvider, downloadMedia, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, WebhookRequest } from '../core/types.js';
import { skyetelManifest } from './skyetel.manifest.js';
import { SKYETEL_THROTTLE_MS, skyetelFailureKind } from './skyetel.status.js';
import type { SkyetelInbound, SkyetelSendPayload } from './skyetel.types.js';
import { fromCarrierDigits, toNanpDigits } from '../core/nanp.js';

const provider = skyetelManifest.type;

const wireNumber = (e164: string, field: string) => toNanpDigits(provider, e164, field);
const fromWire = fromCarrierDigits;

/** The answer's id when it has one (the response body is undocumented). */
function answerId(json: unknown): string | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  const id = record.id ?? record.message_id ?? record.messageId ?? record.uuid;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

export function createSkyetelProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { sid, secret } = account.credentials as { sid: string; secret: string };
  const authorization = basicAuth(sid, secret);
  const base = (account.baseUrl ?? skyetelManifest.defaultBaseUrl).replace(/\/+$/, '').replace(/\/v1$/, '');
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(provider, 'group messages (one "to" per message)');
    const payload: SkyetelSendPayload = { to: wireNumber(message.to[0]!, 'to'), text: message.body };
    if (message.mediaUrls.length > 0) payload.media = message.mediaUrls;
    const response = await callProvider(deps.fetch, provider, {
      method: 'POST',
      url: `${joinUrl(base, 'v1/out')}?from=${wireNumber(message.from, 'from')}`,
      headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
    });
    if (response.status < 200 || response.status >= 300) {
      const kind = skyetelFailureKind(response.status, response.text);
      const error = httpError(provider, response, { kind, message: typeof response.json?.ERROR === 'string' ? response.json.ERROR : undefined });
      // The send-rate block lasts 5 minutes: retrying sooner only extends it.
      if (response.status === 403 && kind === 'rate_limited') throw new ProviderError(provider, kind, error.message, { httpStatus: 403, retryAfterMs: SKYETEL_THROTTLE_MS });
      throw error;
    }
    // No documented id: ours stands in unless the answer carries one.
    return { providerMessageId: answerId(response.json) ?? message.id, status: 'sent', raw: response.json ?? response.text.slice(0, 500) };
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the callback URL has no token; copy the URL shown for this account into the number\'s SMS/MMS callback');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the callback URL token is wrong');
  }

  function readFields(request: WebhookRequest): SkyetelInbound {
    // The GET variant is undocumented; if Skyetel uses it, the fields travel in the query.
    if (request.method === 'GET') return { from: request.query.from, to: request.query.to, text: request.query.text };
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new MalformedWebhookError('the body is not JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new MalformedWebhookError('the JSON body is not an object');
    return parsed as SkyetelInbound;
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = readFields(request);
    const { from, to } = fields;
    if (typeof from !== 'string' || !from.trim() || typeof to !== 'string' || !to.trim()) throw new MalformedWebhookError('from and to (numbers) are required');
    if (fields.text !== undefined && fields.text !== null && typeof fields.text !== 'string') throw new MalformedWebhookError('text must be a string');
    if (fields.media !== undefined && fields.media !== null && !Array.isArray(fields.media)) throw new MalformedWebhookError('media must be a list of URLs');
    const text = typeof fields.text === 'string' ? fields.text : '';
    const urls = (Array.isArray(fields.media) ? fields.media : []).filter((url): url is string => typeof url === 'string' && /^https?:\/\/\S+$/i.test(url));
    if (text === '' && urls.length === 0) throw new MalformedWebhookError('neither text nor media');
    // No message id: a carrier retry is recognised by its content within the same minute.
    const minute = Math.floor(deps.clock().getTime() / 60_000);
    const id = `sha256:${createHash('sha256').update(JSON.stringify([from, to, text, urls, minute])).digest('hex').slice(0, 40)}`;
    return { inbound: [{ providerMessageId: id, from: fromWire(from), to: [fromWire(to)], body: text, media: urls.map((url) => ({ url })), raw: fields }], statuses: [] };
  }

  return {
    manifest: skyetelManifest,
    send,
    verifyWebhook,
    parseWebhook,
    // Media URLs are public links (smsconnector fetches them without auth).
    fetchMedia: (url) => downloadMedia(deps.fetch, provider, url),
    webhookReply: () => ({ contentType: 'text/plain', body: 'OK' }),
  };
}

export const skyetelProvider: ProviderModule = { manifest: skyetelManifest, create: createSkyetelProvider };
