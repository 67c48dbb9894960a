/**
 * Wavix SMS and MMS API v3: JSON sends to `POST /v3/messages` with a Bearer API key; the answer
 * (201) carries `message_id`. Inbound messages and delivery reports are JSON posts with no
 * signature, so the account's webhook URL carries a secret token (checked here and in ingest).
 * https://docs.wavix.com/api-reference/messaging/send-a-message
 */
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { callProvider, downloadMedia, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, StatusUpdate, WebhookRequest } from '../core/types.js';
import { boundedTime, lookup, plusDigits, readWebhookFields, requiredText, textField, type WebhookFields } from '../core/webhook-fields.js';
import { wavixManifest } from './wavix.manifest.js';
import { WAVIX_STATUS, wavixErrorKind } from './wavix.status.js';
import type { WavixError, WavixMessage, WavixMessageBody, WavixSendPayload } from './wavix.types.js';

const PROVIDER = wavixManifest.type;

export function createWavixProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { apiKey } = account.credentials as { apiKey: string };
  const base = (account.baseUrl ?? wavixManifest.defaultBaseUrl).replace(/\/+$/, '').replace(/\/v3$/, '');
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(PROVIDER, 'group messages (one "to" per message)');
    if (message.mediaUrls.length > wavixManifest.capabilities.maxMediaCount) throw new UnsupportedCapabilityError(PROVIDER, `more than ${wavixManifest.capabilities.maxMediaCount} media URLs`);
    const payload: WavixSendPayload = {
      from: message.from,
      to: message.to[0]!,
      // Any non-null media makes it an MMS; text is required even when empty.
      message_body: { text: message.body, media: message.mediaUrls.length > 0 ? message.mediaUrls : null },
      // The callback URL carries our token; `tag` is left out: the official SDK's send payload has no such field.
      callback_url: message.statusCallbackUrl,
    };
    const response = await callProvider(deps.fetch, PROVIDER, {
      method: 'POST',
      url: joinUrl(base, 'v3/messages'),
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
    });
    if (response.status >= 200 && response.status < 300) {
      const data = response.json as WavixMessage | null;
      if (typeof data?.message_id !== 'string' || !data.message_id) throw new ProviderError(PROVIDER, 'unavailable', `${PROVIDER} answered ${response.status} without message_id`, { httpStatus: response.status });
      if (data.status === 'rejected') throw new ProviderError(PROVIDER, wavixErrorKind(data.error_message ?? undefined) ?? 'rejected', `${PROVIDER} rejected the message to ${payload.to}: ${data.error_message ?? 'rejected'}`, { providerCode: 'rejected', httpStatus: response.status });
      return { providerMessageId: data.message_id, status: lookup(WAVIX_STATUS, data.status), raw: data };
    }
    const error = (response.json ?? {}) as WavixError;
    const text = error.message ?? error.error;
    const kind = wavixErrorKind(text) ?? (response.status === 402 ? 'insufficient_funds' : undefined);
    throw httpError(PROVIDER, response, { message: text, kind });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the webhook URL has no token; copy the URL shown for this account into Wavix');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the webhook URL token is wrong');
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = readWebhookFields(request, { json: 'always' });
    const messageId = requiredText(fields, 'message_id');
    // Delivery reports carry `status`; inbound messages carry `received_at` and no status.
    if (fields.status !== undefined) return { inbound: [], statuses: [parseStatus(messageId, fields)] };
    return { inbound: [parseInbound(messageId, fields)], statuses: [] };
  }

  function parseStatus(messageId: string, fields: WebhookFields): StatusUpdate {
    const providerStatus = requiredText(fields, 'status');
    const status = lookup(WAVIX_STATUS, providerStatus.toLowerCase());
    const update: StatusUpdate = { providerMessageId: messageId, status: status ?? 'sent', providerStatus, at: boundedTime(textField(fields, 'delivered') ?? textField(fields, 'sent'), deps.clock()) };
    if (!status) update.errorMessage = `unknown ${PROVIDER} status "${providerStatus.slice(0, 40)}"`;
    const error = fields.error;
    const reason = typeof error === 'string' ? error : typeof (error as { message?: unknown })?.message === 'string' ? (error as { message: string }).message : undefined;
    if (reason) {
      // Wavix reports a reason, not a code: the status word is the code, the text the reason.
      update.errorCode = providerStatus;
      update.errorMessage = reason.slice(0, 500);
      update.optedOut = wavixErrorKind(reason) === 'opted_out';
    }
    return update;
  }

  function parseInbound(messageId: string, fields: WebhookFields): InboundMessage {
    const from = requiredText(fields, 'from');
    const to = requiredText(fields, 'to');
    const body = fields.message_body as WavixMessageBody | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new MalformedWebhookError('message_body is missing');
    if (body.text !== undefined && body.text !== null && typeof body.text !== 'string') throw new MalformedWebhookError('message_body.text must be a string');
    if (body.media !== undefined && body.media !== null && !Array.isArray(body.media)) throw new MalformedWebhookError('message_body.media must be a list');
    const media = (body.media ?? []).map((url) => {
      if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw new MalformedWebhookError('message_body.media[] must be URLs');
      return { url };
    });
    return { providerMessageId: messageId, from: plusDigits(from), to: [plusDigits(to)], body: body.text ?? '', media, receivedAt: boundedTime(textField(fields, 'received_at'), deps.clock()), raw: fields };
  }

  async function fetchMedia(url: string) {
    // Only Wavix's own host gets the API key; media on other hosts is fetched without it.
    const host = new URL(url).host;
    const isWavixHost = host === 'api.wavix.com' || host === new URL(base).host;
    return downloadMedia(deps.fetch, PROVIDER, url, isWavixHost ? { authorization: `Bearer ${apiKey}` } : {});
  }

  return { manifest: wavixManifest, send, verifyWebhook, parseWebhook, fetchMedia, webhookReply: () => ({ contentType: 'application/json', body: '{"success":true}' }) };
}

export const wavixProvider: ProviderModule = { manifest: wavixManifest, create: createWavixProvider };
