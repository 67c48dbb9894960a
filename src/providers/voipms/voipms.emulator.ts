/**
 * A local stand-in for VoIP.ms's REST/JSON API and its SMS URL Callback. The API takes multipart
 * (or urlencoded) posts on rest.php, checks `api_username`/`api_password`, switches on `method`
 * and answers HTTP 200 with a `status` word, as VoIP.ms does; it never sends receipts.
 * Inbound messages are GETs of the URL registered for the DID with its `{TO}`, `{FROM}`, … filled
 * in. A built webhook keeps the filled placeholders in `body` and `deliver` appends them to the
 * URL, so a truncated or garbled `body` becomes the truncated or garbled query VoIP.ms would call.
 */
import { randomInt } from 'node:crypto';
import { parseMultipartFields } from '../core/multipart.js';
import { httpDeliver, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type RecordedRequest, type SignedWebhook } from '../testing/emulator.js';

export interface VoipmsEmulatorOptions {
  apiUsername: string;
  apiPassword: string;
  deliver?: Deliver;
}

export const VOIPMS_EMULATOR_PATH = '/api/v1/rest.php';

/** The form fields of a request (GET query, urlencoded or multipart), as VoIP.ms reads them. */
export function voipmsFormFields(request: RecordedRequest): Record<string, string> {
  if (request.method === 'GET') return Object.fromEntries(new URL(request.url, 'http://x').searchParams);
  const contentType = String(request.headers['content-type'] ?? '');
  if (/urlencoded/i.test(contentType)) return Object.fromEntries(new URLSearchParams(request.text));
  return parseMultipartFields(contentType, request.text);
}

const tenDigits = (e164: string) => e164.replace(/^\+1/, '');

/** Fills the registered URL's placeholders: kept parameters stay in `url`, filled ones go to `body`. */
function fillCallback(registered: string, values: Record<string, string>): SignedWebhook {
  const [path, query = ''] = registered.split('?') as [string, string?];
  const kept: string[] = [];
  const filled: string[] = [];
  for (const part of query.split('&').filter(Boolean)) {
    if (/\{[A-Z]+\}/.test(part)) filled.push(part.replace(/\{([A-Z]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? '')));
    else kept.push(part);
  }
  return { method: 'GET', url: kept.length ? `${path}?${kept.join('&')}` : path, headers: { 'user-agent': 'VoIP.ms' }, body: filled.join('&') };
}

export async function startVoipmsEmulator(options: VoipmsEmulatorOptions): Promise<ProviderEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const server = await startEmulatorServer((request, response) => {
    if (request.url.split('?')[0] !== VOIPMS_EMULATOR_PATH) return sendJson(response, 404, { status: 'not_found' });
    let fields: Record<string, string>;
    try {
      fields = voipmsFormFields(request);
    } catch {
      return sendJson(response, 200, { status: 'missing_method' });
    }
    const answer = (status: string) => sendJson(response, 200, { status });
    if (!fields.api_username || !fields.api_password) return answer('missing_credentials');
    if (fields.api_username !== options.apiUsername || fields.api_password !== options.apiPassword) return answer('invalid_credentials');
    if (fields.method !== 'sendSMS' && fields.method !== 'sendMMS') return answer('invalid_method');
    if (!/^\d{10}$/.test(fields.did ?? '')) return answer('invalid_did');
    if (!/^\d{10}$/.test(fields.dst ?? '')) return answer('invalid_dst');
    const media = ['media1', 'media2', 'media3'].filter((key) => fields[key]);
    if (fields.method === 'sendSMS') {
      if (!fields.message) return answer('message_empty');
      if ([...fields.message].length > 160) return answer('sms_toolong');
      if (media.length > 0) return answer('invalid_sms');
      return sendJson(response, 200, { status: 'success', sms: randomInt(10_000_000, 99_999_999) });
    }
    if (!fields.message && media.length === 0) return answer('message_empty');
    if ([...(fields.message ?? '')].length > 1600 || Object.keys(fields).some((key) => /^media([4-9]|\d{2,})$/.test(key))) return answer('invalid_mms');
    return sendJson(response, 200, { status: 'success', mms: randomInt(10_000_000, 99_999_999) });
  }, VOIPMS_EMULATOR_PATH);
  const origin = server.baseUrl.slice(0, -VOIPMS_EMULATOR_PATH.length);

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    buildInbound(input: InboundInput) {
      const media = (input.media ?? []).map((item) => server.hostMedia(item));
      return fillCallback(input.webhookUrl, {
        TO: tenDigits(input.to),
        FROM: tenDigits(input.from),
        MESSAGE: input.body,
        ID: input.id ?? String(randomInt(10_000_000, 99_999_999)),
        TIMESTAMP: new Date().toISOString().slice(0, 19).replace('T', ' '),
        MEDIA: media.join(','),
      });
    },
    buildStatus() {
      throw new Error(`VoIP.ms sends no delivery receipts (emulator at ${origin})`);
    },
    deliver: (webhook) => deliver(webhook.body ? `${webhook.url}${webhook.url.includes('?') ? '&' : '?'}${webhook.body}` : webhook.url, { ...webhook, body: '' }),
    close: server.close,
  };
}
