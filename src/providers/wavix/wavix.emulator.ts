/**
 * A local stand-in for Wavix's API v3: accepts JSON sends on POST /v3/messages with a Bearer key,
 * answers 201 with the message object, then posts delivery reports (sent, then delivered) to the
 * message's callback_url. Inbound messages are JSON posts with numbers without "+". Wavix signs
 * nothing; the URL's token is the only proof.
 */
import { randomUUID } from 'node:crypto';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';

export interface WavixEmulatorOptions {
  apiKey: string;
  deliver?: Deliver;
  /** Delay between delivery reports; 0 sends none. */
  callbackDelayMs?: number;
}

const jsonPost = (url: string, body: unknown): SignedWebhook => ({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const digits = (value: string) => value.replace(/^\+/, '');

export async function startWavixEmulator(options: WavixEmulatorOptions): Promise<ProviderEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  const fail = (message: string) => ({ success: false, message });

  const buildStatus = (input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string; from?: string; to?: string; tag?: string }) =>
    jsonPost(input.webhookUrl, {
      message_id: input.providerMessageId,
      message_type: 'sms',
      from: input.from ?? '15005550006',
      to: input.to ?? '+15551234567',
      tag: input.tag ?? null,
      status: input.status,
      segments_count: 1,
      sent: new Date(Date.now() - 2000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      delivered: input.status === 'delivered' ? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
      charge: '0.0079',
      carrier_fees: '0.003',
      // Wavix reports a readable reason and no numeric code.
      error: input.errorCode ? 'Unknown subscriber' : null,
    });

  const server = await startEmulatorServer((request, response) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/v3/messages') return sendJson(response, 404, fail('Not found'));
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) return sendJson(response, 401, fail('Unauthorized'));
    let body: { from?: unknown; to?: unknown; message_body?: { text?: unknown; media?: unknown }; callback_url?: unknown; tag?: unknown };
    try {
      body = JSON.parse(request.text);
    } catch {
      return sendJson(response, 400, fail('Malformed JSON'));
    }
    if (typeof body.from !== 'string' || !body.from) return sendJson(response, 400, fail('Missing or invalid parameter from'));
    if (typeof body.to !== 'string' || !/^\+?[1-9]\d{6,14}$/.test(body.to)) return sendJson(response, 400, fail('Missing or invalid parameter to'));
    const media = body.message_body?.media;
    if (typeof body.message_body?.text !== 'string') return sendJson(response, 400, fail('Missing or invalid parameter message_body.text'));
    if (media !== null && media !== undefined && (!Array.isArray(media) || media.length > 5)) return sendJson(response, 400, fail('Missing or invalid parameter message_body.media'));
    const id = randomUUID();
    sendJson(response, 201, {
      message_id: id, status: 'accepted', message_type: media ? 'mms' : 'sms', segments: 1, from: body.from, to: body.to, direction: 'outbound', charge: '0.0', carrier_fees: '0.0',
      mcc: '310', mnc: '260', submitted_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), sent_at: null, delivered_at: null, error_message: null, tag: body.tag ?? null,
      message_body: { text: body.message_body.text, media: media ?? null },
    });
    const callback = typeof body.callback_url === 'string' ? body.callback_url : null;
    if (!callback || delay <= 0) return;
    ['sent', 'delivered'].forEach((status, index) =>
      later(delay * (index + 1), () => {
        const webhook = buildStatus({ webhookUrl: callback, providerMessageId: id, status, from: String(body.from), to: String(body.to), tag: typeof body.tag === 'string' ? body.tag : undefined });
        return deliver(webhook.url, webhook);
      }),
    );
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    buildInbound(input: InboundInput) {
      const media = (input.media ?? []).map((item) => server.hostMedia(item));
      return jsonPost(input.webhookUrl, {
        message_id: input.id ?? randomUUID(),
        message_type: media.length > 0 ? 'mms' : 'sms',
        from: digits(input.from),
        to: digits(input.to),
        message_body: { text: input.body, media: media.length > 0 ? media : null },
        received_at: new Date().toISOString(),
      });
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
