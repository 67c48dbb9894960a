/**
 * A local stand-in for Flowroute's Messaging API v2.2: accepts JSON:API sends on POST
 * /v2.2/messages with Basic accessKey:secretKey, answers 202 with the MDR id, then posts MDR
 * receipts (level 1 "message buffered", level 2 "delivered") to the message's dlr_callback.
 * Inbound messages are JSON:API documents with 11-digit numbers and media side-loaded in
 * `included`. Flowroute signs nothing; the URL's token is the only proof.
 */
import { randomBytes } from 'node:crypto';
import { basicAuth } from '../core/http.js';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';

export interface FlowrouteEmulatorOptions {
  accessKey: string;
  secretKey: string;
  deliver?: Deliver;
  /** Delay between receipts; 0 sends none. */
  callbackDelayMs?: number;
}

const jsonPost = (url: string, body: unknown): SignedWebhook => ({ method: 'POST', url, headers: { 'content-type': 'application/json', 'user-agent': 'Flowroute-Webhooks' }, body: JSON.stringify(body) });
const digits = (value: string) => value.replace(/^\+/, '');
const mdrId = () => `mdr2-${randomBytes(16).toString('hex')}`;
const errors = (status: number, title: string, detail: string) => ({ errors: [{ id: randomBytes(8).toString('hex'), status, title, detail }] });

export async function startFlowrouteEmulator(options: FlowrouteEmulatorOptions): Promise<ProviderEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;

  const buildStatus = (input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string; level?: number }) =>
    jsonPost(input.webhookUrl, {
      data: {
        type: 'delivery_receipt',
        id: input.providerMessageId,
        attributes: {
          body: '',
          level: input.level ?? 2,
          status: input.status,
          status_code: input.errorCode ?? '1003',
          status_code_description: input.errorCode ? 'Unknown subscriber' : 'Message accepted by carrier',
          timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, '.00Z'),
        },
        links: { related: `https://api.flowroute.com/v2.2/messages/${input.providerMessageId}` },
      },
    });

  const server = await startEmulatorServer((request, response) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/v2.2/messages') return sendJson(response, 404, errors(404, 'Not Found', 'No such resource'));
    if (request.headers.authorization !== basicAuth(options.accessKey, options.secretKey)) return sendJson(response, 401, errors(401, 'Unauthorized', 'Authentication credentials were missing or incorrect'));
    let body: { data?: { type?: unknown; attributes?: { to?: unknown; from?: unknown; body?: unknown; media_urls?: unknown; is_mms?: unknown; dlr_callback?: unknown } } };
    try {
      body = JSON.parse(request.text);
    } catch {
      return sendJson(response, 400, errors(400, 'Bad Request', 'Malformed JSON'));
    }
    const attributes = body.data?.attributes;
    if (body.data?.type !== 'message' || !attributes) return sendJson(response, 422, errors(422, 'Unprocessable Entity', 'data.type must be message'));
    if (typeof attributes.to !== 'string' || !/^\+\d{11,15}$/.test(attributes.to)) return sendJson(response, 422, errors(422, 'Unprocessable Entity', 'Invalid to number'));
    if (typeof attributes.from !== 'string' || !/^\+\d{11,15}$/.test(attributes.from)) return sendJson(response, 422, errors(422, 'Unprocessable Entity', 'Invalid from number'));
    const media = attributes.media_urls;
    if (media !== undefined && (!Array.isArray(media) || media.some((url) => typeof url !== 'string'))) return sendJson(response, 422, errors(422, 'Unprocessable Entity', 'media_urls must be a list of URLs'));
    if (typeof attributes.body !== 'string' && !media) return sendJson(response, 422, errors(422, 'Unprocessable Entity', 'body is required'));
    const id = mdrId();
    sendJson(response, 202, { data: { type: 'message', id, links: { self: `https://api.flowroute.com/v2.2/messages/${id}` } } });
    const callback = typeof attributes.dlr_callback === 'string' ? attributes.dlr_callback : null;
    if (!callback || delay <= 0) return;
    [['message buffered', 1], ['delivered', 2]].forEach(([status, level], index) =>
      later(delay * (index + 1), () => {
        const webhook = buildStatus({ webhookUrl: callback, providerMessageId: id, status: status as string, level: level as number });
        return deliver(webhook.url, webhook);
      }),
    );
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    buildInbound(input: InboundInput) {
      const media = (input.media ?? []).map((item, index) => ({ type: 'media', id: `media-${index}-${randomBytes(4).toString('hex')}`, attributes: { url: server.hostMedia(item), file_name: `part${index}.${item.contentType.split('/')[1]}`, mime_type: item.contentType, file_size: item.data.length } }));
      const isMms = media.length > 0;
      return jsonPost(input.webhookUrl, {
        data: {
          type: 'message',
          id: input.id ?? mdrId(),
          attributes: { body: input.body, direction: 'inbound', from: digits(input.from), to: digits(input.to), is_mms: isMms, message_encoding: 0, message_type: 'longcode', status: 'delivered', timestamp: new Date().toISOString(), amount_display: '$0.0000', amount_nanodollars: 0, delivery_receipts: [] },
          ...(isMms ? { relationships: { media: { data: media.map(({ type, id }) => ({ type, id })) } } } : {}),
        },
        ...(isMms ? { included: media } : {}),
      });
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
