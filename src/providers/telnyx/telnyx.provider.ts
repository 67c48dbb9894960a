/**
 * Telnyx Messaging API v2: JSON sends with a Bearer API key (`POST /messages`, group MMS on
 * `/messages/group_mms`), JSON webhooks signed with Ed25519 (telnyx.signature.ts).
 * https://developers.telnyx.com/api/messaging/send-message
 */
import { MalformedWebhookError, ProviderError, WebhookAuthError } from '../core/errors.js';
import { callProvider, downloadMedia, header, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, StatusUpdate, WebhookRequest } from '../core/types.js';
import { telnyxManifest } from './telnyx.manifest.js';
import { isValidTelnyxSignature, telnyxPublicKey, TELNYX_TOLERANCE_SECONDS } from './telnyx.signature.js';
import { TELNYX_ERROR_KIND, TELNYX_STATUS } from './telnyx.status.js';
import type { TelnyxAddress, TelnyxMessagePayload, TelnyxWebhookEvent } from './telnyx.types.js';

const PROVIDER = 'telnyx';
const isPhoneNumber = (value: string) => /^\+?\d+$/.test(value);
/** Table lookup that ignores inherited keys ("constructor" is no status). */
const lookup = <T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined => (typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined);

export function createTelnyxProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { apiKey, publicKey, messagingProfileId } = account.credentials as { apiKey: string; publicKey: string; messagingProfileId?: string };
  const baseUrl = account.baseUrl ?? telnyxManifest.defaultBaseUrl;
  const verifyKey = telnyxPublicKey(publicKey ?? '');

  async function send(message: OutboundMessage) {
    const group = message.to.length > 1;
    const body: Record<string, unknown> = { from: message.from, to: group ? message.to : message.to[0], webhook_url: message.statusCallbackUrl };
    if (message.body) body.text = message.body;
    if (message.mediaUrls.length > 0) body.media_urls = message.mediaUrls;
    if (!isPhoneNumber(message.from)) {
      if (!messagingProfileId) throw new ProviderError(PROVIDER, 'rejected', `sending from alphanumeric sender "${message.from}" needs TELNYX_MESSAGING_PROFILE_ID (credentials.messagingProfileId)`);
      body.messaging_profile_id = messagingProfileId;
    }
    const response = await callProvider(deps.fetch, PROVIDER, {
      method: 'POST',
      url: joinUrl(baseUrl, group ? 'messages/group_mms' : 'messages'),
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const data = response.json?.data as TelnyxMessagePayload | undefined;
    if (response.status >= 200 && response.status < 300) {
      if (typeof data?.id !== 'string') throw new ProviderError(PROVIDER, 'unavailable', `telnyx answered ${response.status} without data.id`);
      return { providerMessageId: data.id, status: lookup(TELNYX_STATUS, data.to?.[0]?.status), raw: response.json };
    }
    const error = Array.isArray(response.json?.errors) ? response.json.errors[0] : undefined;
    const code = error?.code !== undefined ? String(error.code) : undefined;
    const kind = lookup(TELNYX_ERROR_KIND, code) ?? (response.status === 402 ? 'insufficient_funds' : undefined);
    throw httpError(PROVIDER, response, { providerCode: code, message: [error?.title, error?.detail].filter(Boolean).join(': ') || undefined, kind });
  }

  async function verifyWebhook(request: WebhookRequest) {
    const signature = header(request.headers, 'telnyx-signature-ed25519');
    const timestamp = header(request.headers, 'telnyx-timestamp');
    if (!signature || !timestamp) throw new WebhookAuthError('missing_signature', 'telnyx-signature-ed25519 or telnyx-timestamp header is missing');
    if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookAuthError('bad_signature', `telnyx-timestamp "${timestamp.slice(0, 40)}" is not Unix seconds`);
    const skew = Math.abs(Math.floor(deps.clock().getTime() / 1000) - Number(timestamp));
    if (skew > TELNYX_TOLERANCE_SECONDS) throw new WebhookAuthError('stale_signature', `telnyx-timestamp is ${skew} s from now (tolerance ${TELNYX_TOLERANCE_SECONDS} s)`);
    if (!verifyKey) throw new WebhookAuthError('bad_signature', 'TELNYX_PUBLIC_KEY (credentials.publicKey) is not a base64 32-byte Ed25519 key; copy it from Mission Control → Keys & Credentials');
    if (!isValidTelnyxSignature(verifyKey, timestamp, request.rawBody, signature)) {
      throw new WebhookAuthError('bad_signature', 'telnyx-signature-ed25519 does not match the body; check the account public key');
    }
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    let event: TelnyxWebhookEvent;
    try {
      event = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new MalformedWebhookError('body is not JSON');
    }
    const eventType = event?.data?.event_type;
    const payload = event?.data?.payload;
    if (typeof eventType !== 'string' || !payload || typeof payload !== 'object') throw new MalformedWebhookError('data.event_type and data.payload are required');
    if (!eventType.startsWith('message.')) return { inbound: [], statuses: [] };
    if (typeof payload.id !== 'string' || !payload.id) throw new MalformedWebhookError('data.payload.id is missing');
    if (eventType === 'message.received') return { inbound: [parseInbound(payload.id, payload)], statuses: [] };
    return { inbound: [], statuses: [parseStatus(payload.id, eventType, payload, event.data?.occurred_at)] };
  }

  function parseInbound(id: string, payload: TelnyxMessagePayload): InboundMessage {
    const from = payload.from?.phone_number;
    const to = [...numbersOf(payload.to), ...numbersOf(payload.cc)];
    if (!from || to.length === 0) throw new MalformedWebhookError('payload.from.phone_number and payload.to[].phone_number are required');
    if (payload.media !== undefined && !Array.isArray(payload.media)) throw new MalformedWebhookError('payload.media is not a list');
    const media = (payload.media ?? [])
      // The SMIL part only lays out the slides; it is not content.
      .filter((item) => item?.content_type !== 'application/smil')
      .map((item) => {
        if (typeof item?.url !== 'string') throw new MalformedWebhookError('payload.media[].url is missing');
        return { url: item.url, contentType: item.content_type ?? undefined };
      });
    return { providerMessageId: id, from, to, body: payload.text ?? '', media, receivedAt: payload.received_at, raw: payload };
  }

  function parseStatus(id: string, eventType: string, payload: TelnyxMessagePayload, occurredAt?: string): StatusUpdate {
    // Older events may omit to[].status; the event type alone still says sent/finalized.
    const reported = payload.to?.[0]?.status;
    const providerStatus = typeof reported === 'string' ? reported : eventType === 'message.sent' ? 'sent' : eventType;
    const status = lookup(TELNYX_STATUS, providerStatus);
    const update: StatusUpdate = { providerMessageId: id, status: status ?? 'sent', providerStatus, at: payload.completed_at ?? payload.sent_at ?? occurredAt };
    if (!status) update.errorMessage = `unknown telnyx status "${providerStatus}"`;
    const error = Array.isArray(payload.errors) ? payload.errors[0] : undefined;
    if (error?.code !== undefined) {
      update.errorCode = String(error.code);
      update.optedOut = TELNYX_ERROR_KIND[update.errorCode] === 'opted_out';
      update.errorMessage = [error.title, error.detail].filter(Boolean).join(': ') || `telnyx error ${error.code}`;
    }
    return update;
  }

  return {
    manifest: telnyxManifest,
    send,
    verifyWebhook,
    parseWebhook,
    // Inbound media URLs are pre-signed and short-lived: no auth, and the API key must not leak to them.
    fetchMedia: (url) => downloadMedia(deps.fetch, PROVIDER, url),
    webhookReply: () => ({ contentType: 'application/json', body: '{}' }),
  };
}

function numbersOf(addresses: TelnyxAddress[] | undefined): string[] {
  if (addresses !== undefined && !Array.isArray(addresses)) throw new MalformedWebhookError('payload.to and payload.cc must be lists');
  return (addresses ?? []).map((address) => address?.phone_number).filter((n): n is string => typeof n === 'string' && n.length > 0);
}

export const telnyxProvider: ProviderModule = { manifest: telnyxManifest, create: createTelnyxProvider };
