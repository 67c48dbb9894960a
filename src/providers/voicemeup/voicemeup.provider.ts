/**
 * VoiceMeUp clients API v1.1: form posts to `POST {base}/api/v1.1/json/queue_sms` with the
 * `username` and `auth_token` as form fields, one `attachment` URL for MMS; the answer's
 * `queued_sms_hash` is the provider id. No receipts. Inbound arrives on the DID's callback URL
 * (JSON or form), unsigned, so that URL carries the account's secret token. An inbound MMS comes
 * as two callbacks — the text with an `.mms.html` wrapper, then the media — marked as split parts
 * here and joined into one message by the pipeline (services/inbound-parts.ts).
 */
import { safeEqual } from '../../lib/crypto.js';
import { MalformedWebhookError, ProviderError, UnsupportedCapabilityError, WebhookAuthError } from '../core/errors.js';
import { callProvider, downloadMedia, httpError, joinUrl } from '../core/http.js';
import type { SplitInboundMessage } from '../core/split-parts.js';
import type { AdapterDeps, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAccountConfig, ProviderAdapter, ProviderModule, SendResult, WebhookRequest } from '../core/types.js';
import { boundedTime, plusDigits, readWebhookFields, requiredText, textField, type WebhookFields } from '../core/webhook-fields.js';
import { voicemeupManifest } from './voicemeup.manifest.js';
import { VOICEMEUP_STATUS, voicemeupErrorKind } from './voicemeup.status.js';
import type { VoicemeupResponse, VoicemeupResponseMessage } from './voicemeup.types.js';

const PROVIDER = voicemeupManifest.type;
const digits = (value: string) => value.replace(/^\+(?=\d+$)/, '');

/** The first part of a split MMS carries a wrapper page, not media (roomkit's VoiceMeUp provider). */
export function isMmsWrapper(url: string, contentType: string | undefined): boolean {
  const path = url.split(/[?#]/)[0]!;
  return path.endsWith('.mms.html') || (contentType === 'text/html' && url.includes('.mms.'));
}

export function createVoicemeupProvider(account: ProviderAccountConfig, deps: AdapterDeps): ProviderAdapter {
  const { username, authToken } = account.credentials as { username: string; authToken: string };
  const base = (account.baseUrl ?? voicemeupManifest.defaultBaseUrl).replace(/\/+$/, '').replace(/\/api\/v1\.1\/json$/, '');
  const expectedToken = new URL(account.webhookUrl).searchParams.get('token');

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(PROVIDER, 'group messages (one "to" per message)');
    if (message.mediaUrls.length > 1) throw new UnsupportedCapabilityError(PROVIDER, 'more than one MMS attachment');
    const form = new URLSearchParams({ username, auth_token: authToken, source_number: digits(message.from), destination_number: digits(message.to[0]!) });
    if (message.body) form.set('message', message.body);
    if (message.mediaUrls[0]) form.set('attachment', message.mediaUrls[0]);
    const response = await callProvider(deps.fetch, PROVIDER, {
      method: 'POST',
      url: joinUrl(base, 'api/v1.1/json/queue_sms'),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    });
    const details = (response.json as VoicemeupResponse | null)?.response_details;
    const entries = ([] as VoicemeupResponseMessage[]).concat(details?.response_messages?.message ?? []);
    if (response.status >= 200 && response.status < 300 && details && details.response_status !== 'error') {
      const id = entries.find((entry) => entry?.code === 'queued_sms_hash')?._content;
      if (typeof id !== 'string' || !id) throw new ProviderError(PROVIDER, 'unavailable', `${PROVIDER} answered ${response.status} without queued_sms_hash`, { httpStatus: response.status });
      return { providerMessageId: id, status: VOICEMEUP_STATUS.success, raw: response.json };
    }
    const code = typeof entries[0]?.code === 'string' ? entries[0].code : undefined;
    const text = typeof entries[0]?._content === 'string' ? entries[0]._content : undefined;
    const kind = voicemeupErrorKind(`${code ?? ''} ${text ?? ''}`) ?? (response.status === 402 ? 'insufficient_funds' : undefined);
    // `response_status: "error"` inside a 200 is a refusal, not a server fault.
    if (response.status < 300 && details) throw new ProviderError(PROVIDER, kind ?? 'rejected', `${PROVIDER} refused the message${code ? ` (${code})` : ''}: ${text ?? 'error'}`, { providerCode: code, httpStatus: response.status });
    throw httpError(PROVIDER, response, { providerCode: code, message: text, kind });
  }

  async function verifyWebhook(request: WebhookRequest): Promise<void> {
    const token = request.query.token;
    if (!token) throw new WebhookAuthError('missing_signature', 'the callback URL has no token; copy the URL shown for this account into the DID\'s Callback URL');
    if (!expectedToken || !safeEqual(token, expectedToken)) throw new WebhookAuthError('bad_signature', 'the webhook URL token is wrong');
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = readWebhookFields(request);
    const from = requiredText(fields, 'source_number');
    const to = requiredText(fields, 'destination_number');
    const direction = textField(fields, 'direction');
    // Only inbound traffic is known to be posted; an outbound echo is acknowledged and ignored.
    if (direction === 'outbound') return { inbound: [], statuses: [] };
    if (direction !== undefined && direction !== 'inbound') throw new MalformedWebhookError(`direction "${direction.slice(0, 20)}" is neither inbound nor outbound`);
    const body = textField(fields, 'message') ?? '';
    const time = textField(fields, 'datetime_transmission');
    // sms_hash is VoiceMeUp's unique id: required, it makes a retried callback a duplicate (and a truncated form body malformed).
    const id = requiredText(fields, 'sms_hash');
    const message: InboundMessage = { providerMessageId: id, from: plusDigits(from), to: [plusDigits(to)], body, media: [], receivedAt: boundedTime(time, deps.clock()), raw: fields };
    const attachment = textField(fields, 'attachment') || textField(fields, 'attachment_url');
    if (!attachment) return { inbound: [message], statuses: [] };
    if (!/^https?:\/\//i.test(attachment)) throw new MalformedWebhookError('attachment must be an http(s) URL');
    return { inbound: [attachmentPart(message, fields, attachment, time)], statuses: [] };
  }

  function attachmentPart(message: InboundMessage, fields: WebhookFields, url: string, time: string | undefined): InboundMessage {
    const contentType = (textField(fields, 'attachment_mime_type') || textField(fields, 'attachment_type'))?.split(';')[0]!.trim().toLowerCase() || undefined;
    const wrapper = isMmsWrapper(url, contentType);
    const withMedia = wrapper ? message : { ...message, media: [{ url, contentType }] };
    // Parts are matched on sender, our number and the transmission time; without a time there is nothing to match on.
    if (!time) return withMedia;
    const part: SplitInboundMessage = {
      ...withMedia,
      split: { key: `${digits(message.from)}|${digits(message.to[0]!)}|${time}`, role: wrapper ? 'text' : 'media', standalone: !wrapper && message.body.trim() !== '' },
    };
    return part;
  }

  return {
    manifest: voicemeupManifest,
    send,
    verifyWebhook,
    parseWebhook,
    // Attachment URLs are fetched without credentials: VoiceMeUp's API takes them only as form fields of its own calls.
    fetchMedia: (url) => downloadMedia(deps.fetch, PROVIDER, url),
    webhookReply: () => ({ contentType: 'application/json', body: '{"status":"ok"}' }),
  };
}

export const voicemeupProvider: ProviderModule = { manifest: voicemeupManifest, create: createVoicemeupProvider };
