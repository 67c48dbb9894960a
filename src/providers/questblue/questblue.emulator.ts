/**
 * A local stand-in for QuestBlue's SMS v2 API: accepts JSON sends on POST /smsv2 with Basic
 * login:password and the Security-Key header, answers `{"data":[{"msg_id"}]}` (or HTTP 206 with
 * `{"error"}` for a bad request, as QuestBlue does), then posts status callbacks (`sent`, then
 * `delivered`) without a message id to the URL set for the DID. Inbound messages are JSON with
 * 10-digit numbers and a `to` list. QuestBlue signs nothing; the URL's token is the only proof.
 */
import { randomInt } from 'node:crypto';
import { basicAuth } from '../core/http.js';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';

export interface QuestblueEmulatorOptions {
  login: string;
  password: string;
  securityKey: string;
  deliver?: Deliver;
  /** Delay between status callbacks; 0 sends none. */
  callbackDelayMs?: number;
}

const jsonPost = (url: string, body: unknown): SignedWebhook => ({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const tenDigits = (value: string) => value.replace(/^\+1/, '');

export async function startQuestblueEmulator(options: QuestblueEmulatorOptions): Promise<ProviderEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  let webhookUrl: string | null = null;

  const buildStatus = (input: { webhookUrl: string; providerMessageId?: string; status: string; errorCode?: string; from?: string; to?: string }) =>
    jsonPost(input.webhookUrl, { from: input.from ?? '5005550006', to: input.to ?? '5551234567', status: input.status, reason: input.errorCode ? `Carrier error ${input.errorCode}: unknown subscriber` : null, segments: '1' });

  const server = await startEmulatorServer((request, response) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/smsv2') return sendJson(response, 404, { error: 'Not found' });
    if (request.headers.authorization !== basicAuth(options.login, options.password) || request.headers['security-key'] !== options.securityKey) return sendJson(response, 401, { error: 'Unauthorized' });
    let body: { did?: unknown; did_to?: unknown; msg?: unknown; file_url?: unknown };
    try {
      body = JSON.parse(request.text);
    } catch {
      return sendJson(response, 400, { error: 'Malformed JSON' });
    }
    if (typeof body.did !== 'string' || !/^\d{10}$/.test(body.did)) return sendJson(response, 206, { error: 'Invalid did' });
    if (typeof body.did_to !== 'string' || !/^\d{10}$/.test(body.did_to)) return sendJson(response, 206, { error: 'Invalid destination number' });
    if (body.file_url !== undefined && typeof body.file_url !== 'string') return sendJson(response, 206, { error: 'Invalid file_url' });
    if (typeof body.msg !== 'string' || (!body.msg && !body.file_url)) return sendJson(response, 206, { error: 'Message text is required' });
    sendJson(response, 200, { data: [{ msg_id: String(randomInt(100_000_000, 999_999_999)) }] });
    const callback = webhookUrl;
    if (!callback || delay <= 0) return;
    ['sent', 'delivered'].forEach((status, index) =>
      later(delay * (index + 1), () => {
        const webhook = buildStatus({ webhookUrl: callback, status, from: String(body.did), to: String(body.did_to) });
        return deliver(webhook.url, webhook);
      }),
    );
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    useWebhookUrl(url) {
      webhookUrl = url;
    },
    buildInbound(input: InboundInput) {
      const media = (input.media ?? []).map((item) => server.hostMedia(item));
      return jsonPost(input.webhookUrl, { from: tenDigits(input.from), to: [tenDigits(input.to)], text: input.body, media, segments: '1', type: media.length > 0 ? 'MMS' : 'SMS' });
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
