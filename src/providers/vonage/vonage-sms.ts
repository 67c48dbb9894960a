/**
 * Vonage's legacy SMS API: `POST {base}/sms/json` with api_key/api_secret, an HTTP 200 answer
 * whose parts carry their own status, and inbound/DLR webhooks (GET, form or JSON, a dashboard
 * choice) signed with a `sig` parameter. https://developer.vonage.com/en/api/sms
 */
import { ProviderError, UnsupportedCapabilityError, WebhookAuthError, MalformedWebhookError } from '../core/errors.js';
import { callProvider, downloadMedia, httpError, joinUrl } from '../core/http.js';
import type { AdapterDeps, ParsedWebhook, ProviderAdapter, ProviderManifest, StatusUpdate, WebhookRequest } from '../core/types.js';
import { countSegments } from '../../lib/segments.js';
import { isValidVonageSmsSignature, type VonageSignatureMethod } from './vonage.signature.js';
import { VONAGE_DLR_ERRORS, VONAGE_DLR_STATUS, VONAGE_OPT_OUT_CODES, VONAGE_SMS_SEND_ERRORS } from './vonage.status.js';
import { fromVonageNumber, toVonageNumber, vonageSmsParams, type VonageSmsSendPart } from './vonage.types.js';

export interface VonageSmsOptions {
  manifest: ProviderManifest;
  baseUrl: string;
  apiKey?: string;
  apiSecret?: string;
  signatureSecret: string;
  signatureMethod?: VonageSignatureMethod;
  /** How far a webhook's `timestamp` may be from our clock. */
  toleranceMs: number;
}

export function createVonageSmsAdapter(options: VonageSmsOptions, deps: AdapterDeps): ProviderAdapter {
  const provider = options.manifest.type;
  const sendUrl = joinUrl(options.baseUrl, 'sms/json');

  async function send(message: Parameters<ProviderAdapter['send']>[0]) {
    if (message.mediaUrls.length > 0) throw new UnsupportedCapabilityError(provider, 'MMS on the SMS API (set VONAGE_API=messages)');
    if (message.to.length !== 1) throw new UnsupportedCapabilityError(provider, 'group messages (one "to" per message)');
    if (!options.apiKey || !options.apiSecret) throw new ProviderError(provider, 'auth_failed', 'vonage api=sms needs apiKey and apiSecret (VONAGE_API_KEY, VONAGE_API_SECRET)');
    const response = await callProvider(deps.fetch, provider, {
      method: 'POST',
      url: sendUrl,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        api_key: options.apiKey,
        api_secret: options.apiSecret,
        from: toVonageNumber(message.from),
        to: toVonageNumber(message.to[0]!),
        text: message.body,
        type: countSegments(message.body).encoding === 'UCS-2' ? 'unicode' : 'text',
        callback: message.statusCallbackUrl,
        'status-report-req': true,
        'client-ref': message.id,
      }),
    });
    if (response.status !== 200) return Promise.reject(httpError(provider, response, { message: response.json?.['error-text'] }));
    const parts: VonageSmsSendPart[] = Array.isArray(response.json?.messages) ? response.json.messages : [];
    // A long text is split into parts, each with its own id and DLR; we keep the first accepted
    // part's id. Only when every part failed is the message failed.
    const accepted = parts.find((part) => String(part.status) === '0' && part['message-id']);
    if (accepted) return { providerMessageId: accepted['message-id']!, raw: response.json };
    const failed = parts[0];
    if (!failed) throw new ProviderError(provider, 'unavailable', `${provider} answered 200 without message parts`, { httpStatus: 200 });
    const code = String(failed.status);
    const known = VONAGE_SMS_SEND_ERRORS[code];
    throw new ProviderError(provider, known?.kind ?? 'rejected', `Vonage refused the message to ${message.to[0]}: status ${code} ${failed['error-text'] ?? known?.text ?? ''}`.trim(), {
      providerCode: code,
      httpStatus: 200,
    });
  }

  async function verifyWebhook(request: WebhookRequest) {
    const params = vonageSmsParams(request);
    const sig = params?.sig;
    if (!params || !sig) throw new WebhookAuthError('missing_signature', 'the "sig" parameter is missing; enable signed webhooks for this Vonage account');
    if (!isValidVonageSmsSignature(params, options.signatureSecret, sig, options.signatureMethod)) {
      throw new WebhookAuthError('bad_signature', '"sig" does not match the parameters and VONAGE_SIGNATURE_SECRET');
    }
    const timestamp = Number(params.timestamp);
    if (!params.timestamp || !Number.isFinite(timestamp)) throw new WebhookAuthError('bad_signature', 'the signed "timestamp" parameter is missing');
    if (Math.abs(deps.clock().getTime() - timestamp * 1000) > options.toleranceMs) {
      throw new WebhookAuthError('stale_signature', `webhook timestamp ${params.timestamp} is outside the ${options.toleranceMs / 1000} s tolerance`);
    }
  }

  function parseWebhook(request: WebhookRequest): ParsedWebhook {
    const params = vonageSmsParams(request);
    if (!params) throw new MalformedWebhookError('the body is neither form nor JSON parameters');
    const id = params.messageId;
    if (!id) throw new MalformedWebhookError('messageId is missing');
    if (params.status !== undefined) return { inbound: [], statuses: [parseReceipt(id, params)] };
    const { msisdn, to } = params;
    if (!msisdn || !to) throw new MalformedWebhookError('msisdn and to are required');
    // Long inbound texts arrive one webhook per part (concat-ref/concat-part); each is stored as
    // its own message, in arrival order. See README.
    return {
      inbound: [{ providerMessageId: id, from: fromVonageNumber(msisdn), to: [fromVonageNumber(to)], body: params.text ?? '', media: [], receivedAt: vonageTime(params['message-timestamp']), raw: params }],
      statuses: [],
    };
  }

  function parseReceipt(id: string, params: Record<string, string>): StatusUpdate {
    const providerStatus = params.status!;
    const status = VONAGE_DLR_STATUS[providerStatus];
    const update: StatusUpdate = { providerMessageId: id, status: status ?? 'sent', providerStatus, at: vonageTime(params['message-timestamp']) };
    if (!status) update.errorMessage = `unknown Vonage DLR status "${providerStatus}"`;
    const code = params['err-code'];
    if (code && code !== '0') {
      update.errorCode = code;
      update.errorMessage = VONAGE_DLR_ERRORS[code] ?? `Vonage DLR error ${code}`;
      update.optedOut = VONAGE_OPT_OUT_CODES.has(code);
    }
    return update;
  }

  return {
    manifest: options.manifest,
    send,
    verifyWebhook,
    parseWebhook,
    // The SMS API carries no media; kept for the interface (our own signed media URLs).
    fetchMedia: (url) => downloadMedia(deps.fetch, provider, url),
    webhookReply: () => ({ contentType: 'text/plain', body: '' }),
  };
}

/** `YYYY-MM-DD HH:MM:SS` in UTC → ISO 8601. */
export function vonageTime(value: string | undefined): string | undefined {
  return value && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(' ', 'T')}Z` : undefined;
}
