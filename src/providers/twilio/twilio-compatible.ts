/**
 * The Twilio 2010-04-01 Messages API, shared by Twilio and SignalWire's Compatibility API:
 * form-encoded sends with Basic auth, form webhooks signed with HMAC-SHA1 (twilio.signature.ts).
 */
import { ProviderError, UnsupportedCapabilityError, WebhookAuthError, MalformedWebhookError } from '../core/errors.js';
import { basicAuth, callProvider, downloadMedia, formPairs, header, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, InboundMessage, OutboundMessage, ParsedWebhook, ProviderAdapter, ProviderManifest, StatusUpdate, WebhookRequest } from '../core/types.js';
import { isValidTwilioSignature } from './twilio.signature.js';
import { TWILIO_ERROR_KIND, TWILIO_ERROR_REASON, TWILIO_STATUS } from './twilio.status.js';

export interface TwilioCompatibleOptions {
  manifest: ProviderManifest;
  /** API root up to (not including) `/2010-04-01`. */
  apiRoot: string;
  username: string;
  password: string;
  signingKey: string;
  signatureHeaders: string[];
}

export function createTwilioCompatibleProvider(options: TwilioCompatibleOptions, deps: AdapterDeps): ProviderAdapter {
  const { manifest } = options;
  const provider = manifest.type;
  const auth = basicAuth(options.username, options.password);
  // FS PBX's TWILIO_BASE_URL default carries the API version; accept both forms.
  const apiRoot = options.apiRoot.replace(/\/2010-04-01\/?$/, '');
  const messagesUrl = joinUrl(apiRoot, `2010-04-01/Accounts/${encodeURIComponent(options.username)}/Messages.json`);

  async function send(message: OutboundMessage) {
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(provider, 'group messages (one "to" per message)');
    const form = new URLSearchParams({ To: message.to[0]!, From: message.from, StatusCallback: message.statusCallbackUrl });
    if (message.body) form.set('Body', message.body);
    for (const url of message.mediaUrls) form.append('MediaUrl', url);
    const response = await callProvider(deps.fetch, provider, {
      method: 'POST',
      url: messagesUrl,
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    });
    if (response.status >= 200 && response.status < 300 && typeof response.json?.sid === 'string') {
      return { providerMessageId: response.json.sid as string, status: TWILIO_STATUS[response.json.status as string], raw: response.json };
    }
    if (response.status >= 200 && response.status < 300) {
      throw new ProviderError(provider, 'unavailable', `${provider} answered ${response.status} without a message sid`);
    }
    const code = response.json?.code !== undefined ? String(response.json.code) : undefined;
    return Promise.reject(httpError(provider, response, { providerCode: code, message: response.json?.message, kind: code ? TWILIO_ERROR_KIND[code] : undefined }));
  }

  async function verifyWebhook(request: WebhookRequest) {
    const signature = options.signatureHeaders.map((name) => header(request.headers, name)).find(Boolean);
    if (!signature) throw new WebhookAuthError('missing_signature', `${options.signatureHeaders[0]} header is missing`);
    const params = request.method === 'GET' ? [] : formPairs(request.rawBody);
    if (!isValidTwilioSignature(options.signingKey, request.url, params, signature)) {
      throw new WebhookAuthError('bad_signature', `${options.signatureHeaders[0]} does not match ${request.url}`);
    }
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const fields = new Map(request.method === 'GET' ? Object.entries(request.query) : formPairs(request.rawBody));
    const sid = fields.get('MessageSid') ?? fields.get('SmsSid');
    if (!sid) throw new MalformedWebhookError('MessageSid is missing');
    const providerStatus = fields.get('MessageStatus') ?? fields.get('SmsStatus') ?? 'received';
    const status = TWILIO_STATUS[providerStatus];
    if (status === 'received') return { inbound: [parseInbound(sid, fields)], statuses: [] };
    const update: StatusUpdate = { providerMessageId: sid, status: status ?? 'sent', providerStatus };
    if (!status) update.errorMessage = `unknown ${provider} status "${providerStatus}"`;
    const errorCode = fields.get('ErrorCode');
    if (errorCode) {
      update.errorCode = errorCode;
      update.optedOut = TWILIO_ERROR_KIND[errorCode] === 'opted_out';
      update.errorMessage = fields.get('ErrorMessage') ?? TWILIO_ERROR_REASON[errorCode] ?? `${provider} error ${errorCode}`;
    }
    return { inbound: [], statuses: [update] };
  }

  function parseInbound(sid: string, fields: Map<string, string>): InboundMessage {
    const from = fields.get('From');
    const to = fields.get('To');
    if (!from || !to) throw new MalformedWebhookError('From and To are required');
    const count = Number(fields.get('NumMedia') ?? '0');
    if (!Number.isInteger(count) || count < 0 || count > 50) throw new MalformedWebhookError(`NumMedia "${fields.get('NumMedia')}" is not a count`);
    const media = [];
    for (let i = 0; i < count; i += 1) {
      const url = fields.get(`MediaUrl${i}`);
      if (!url) throw new MalformedWebhookError(`MediaUrl${i} is missing (NumMedia=${count})`);
      media.push({ url, contentType: fields.get(`MediaContentType${i}`) });
    }
    return { providerMessageId: sid, from, to: [to], body: fields.get('Body') ?? '', media };
  }

  return {
    manifest,
    send,
    verifyWebhook,
    parseWebhook,
    // Twilio media is public unless "Enforce HTTP Auth" is on; sending Basic auth is harmless either way.
    fetchMedia: (url) => downloadMedia(deps.fetch, provider, url, { authorization: auth }),
    webhookReply: () => ({ contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' }),
  };
}
