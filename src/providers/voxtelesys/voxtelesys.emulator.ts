/**
 * A local stand-in for Voxtelesys's Messaging API v1: accepts one-to-one batches on POST /api/v1/sms
 * with a Bearer key, answers with the batch object, and posts `per_recipient` delivery receipts
 * (dispatched, then delivered) to the Messaging Application's DLR URL — set with useWebhookUrl, as
 * the real URL is set in the portal, not per message. MO webhooks are JSON `type: "mo"`. Nothing is
 * signed; the URL's token is the only proof.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';

export interface VoxtelesysEmulatorOptions {
  apiKey: string;
  deliver?: Deliver;
  /** Delay between receipts; 0 sends none. */
  callbackDelayMs?: number;
}

const jsonPost = (url: string, body: unknown): SignedWebhook => ({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const batchId = () => randomBytes(12).toString('base64url').slice(0, 16);
const objectId = () => randomBytes(12).toString('hex');

export async function startVoxtelesysEmulator(options: VoxtelesysEmulatorOptions): Promise<ProviderEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  let dlrUrl: string | null = null;
  const error = (code: string, description: string) => ({ error: { code, description } });

  const buildStatus = (input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string; to?: string; tag?: string }) =>
    jsonPost(input.webhookUrl, {
      type: 'per_recipient',
      batch_id: input.providerMessageId,
      message_id: objectId(),
      tag: input.tag ?? '',
      to: [input.to ?? '15551234567'],
      status: input.status,
      time: new Date().toISOString(),
      error: input.errorCode ? { code: input.errorCode, description: 'Unknown subscriber' } : null,
    });

  const server = await startEmulatorServer((request, response) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/api/v1/sms') return sendJson(response, 404, error('not_found', 'Resource not found'));
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) return sendJson(response, 401, error('unauthorized', 'Invalid API key'));
    let body: { from?: unknown; to?: unknown; body?: unknown; media?: unknown; tag?: unknown };
    try {
      body = JSON.parse(request.text);
    } catch {
      return sendJson(response, 400, error('invalid_json', 'Request body is not valid JSON'));
    }
    if (!Array.isArray(body.to) || body.to.length === 0 || body.to.some((to) => typeof to !== 'string' || !/^[1-9]\d{6,14}$/.test(to))) return sendJson(response, 400, error('invalid_to', 'to must be a list of E.164 numbers'));
    if (typeof body.from !== 'string' || !/^[1-9]\d{6,14}$/.test(body.from)) return sendJson(response, 400, error('invalid_from', 'from must be an E.164 number'));
    if (typeof body.body !== 'string' || (!body.body && !Array.isArray(body.media))) return sendJson(response, 400, error('invalid_body', 'body is required'));
    const id = batchId();
    const recipients = body.to as string[];
    sendJson(response, 200, {
      id, from: body.from, to: recipients, body: body.body, media: body.media ?? [], tag: body.tag ?? null, status: 'queued', start_time: new Date().toISOString(), expire_time: null,
      created_at: new Date().toISOString(), account_id: 190000, trunk_group_id: 70000,
    });
    const url = dlrUrl;
    if (!url || delay <= 0) return;
    ['dispatched', 'delivered'].forEach((status, index) =>
      later(delay * (index + 1), () => {
        const webhook = buildStatus({ webhookUrl: url, providerMessageId: id, status, to: recipients[0], tag: typeof body.tag === 'string' ? body.tag : undefined });
        return deliver(webhook.url, webhook);
      }),
    );
  }, '/api/v1');

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    useWebhookUrl(url) {
      dlrUrl = url;
    },
    buildInbound(input: InboundInput) {
      const media = (input.media ?? []).map((item) => server.hostMedia(item));
      return jsonPost(input.webhookUrl, {
        type: 'mo',
        id: input.id ?? randomUUID(),
        to: input.to,
        from: input.from,
        body: input.body,
        ...(media.length > 0 ? { media } : {}),
        received_at: new Date().toISOString(),
      });
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
