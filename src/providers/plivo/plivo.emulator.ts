/**
 * A local stand-in for Plivo's Message API: accepts JSON sends with Basic auth, answers 202 with
 * message_uuid[], then posts form-encoded status callbacks (queued → sent → delivered) to the
 * send's `url`, signed X-Plivo-Signature-V3; builds signed inbound webhooks with hosted media.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { basicAuth } from '../core/http.js';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';
import { plivoSignatureV3 } from './plivo.signature.js';

export interface PlivoEmulatorOptions {
  authId: string;
  authToken: string;
  deliver?: Deliver;
  /** Delay between status callbacks; 0 sends none. */
  callbackDelayMs?: number;
}

const digits = (value: string) => value.replace(/^\+/, '');

export async function startPlivoEmulator(options: PlivoEmulatorOptions): Promise<ProviderEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  const expectedAuth = basicAuth(options.authId, options.authToken);
  let sequence = 0;

  const sign = (url: string, params: URLSearchParams): SignedWebhook => {
    const nonce = String(randomInt(10 ** 9, 10 ** 10 - 1)) + String(randomInt(10 ** 9, 10 ** 10 - 1));
    const signature = plivoSignatureV3(options.authToken, 'POST', url, [...params.entries()], nonce);
    return {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-Plivo-Signature-V3': signature, 'X-Plivo-Signature-Ma-V3': signature, 'X-Plivo-Signature-V3-Nonce': nonce },
      body: params.toString(),
    };
  };

  const buildStatus = (input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string; from?: string; to?: string }) => {
    sequence += 1;
    const params = new URLSearchParams({
      From: digits(input.from ?? '14155550100'), To: digits(input.to ?? '14155550199'), MessageUUID: input.providerMessageId, Status: input.status, Type: 'sms',
      Units: '1', TotalRate: '0.0050', TotalAmount: '0.0050', MCC: '310', MNC: '410', ErrorCode: input.errorCode ?? '', ParentMessageUUID: input.providerMessageId,
      PartInfo: '1 of 1', Sequence: String(sequence), PowerpackUUID: '',
    });
    return sign(input.webhookUrl, params);
  };

  const server = await startEmulatorServer((request, response) => {
    const match = /^\/v1\/Account\/([^/]+)\/Message\/$/.exec(request.url);
    if (request.method !== 'POST' || !match) return sendJson(response, 404, { api_id: randomUUID(), error: 'not found' });
    if (request.headers.authorization !== expectedAuth || decodeURIComponent(match[1]!) !== options.authId) {
      return sendJson(response, 401, { api_id: randomUUID(), error: 'Authentication credentials invalid' });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.text) as Record<string, unknown>;
    } catch {
      return sendJson(response, 400, { api_id: randomUUID(), error: 'invalid JSON body' });
    }
    const { src, dst, text, type, media_urls: mediaUrls, url } = body as { src?: string; dst?: string; text?: string; type?: string; media_urls?: string[]; url?: string };
    if (!src) return sendJson(response, 400, { api_id: randomUUID(), error: 'src parameter not present' });
    if (!dst || !/^\d{7,15}$/.test(dst)) return sendJson(response, 400, { api_id: randomUUID(), error: `invalid dst number ${dst}` });
    if (type === 'mms' ? !Array.isArray(mediaUrls) || mediaUrls.length === 0 : !text) {
      return sendJson(response, 400, { api_id: randomUUID(), error: type === 'mms' ? 'media_urls required for mms' : 'text parameter not present' });
    }
    const uuid = randomUUID();
    sendJson(response, 202, { api_id: randomUUID(), message: 'message(s) queued', message_uuid: [uuid] });
    if (url && delay > 0) {
      ['queued', 'sent', 'delivered'].forEach((status, index) =>
        later(delay * (index + 1), () => {
          const webhook = buildStatus({ webhookUrl: url, providerMessageId: uuid, status, from: src, to: dst });
          return deliver(webhook.url, webhook);
        }),
      );
    }
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    buildInbound(input) {
      const media = input.media ?? [];
      const params = new URLSearchParams({ From: digits(input.from), To: digits(input.to), Type: media.length ? 'mms' : 'sms', MessageUUID: input.id ?? randomUUID() });
      if (media.length) {
        params.set('Body', input.body);
        params.set('MediaCount', String(media.length));
        // Plivo's media host takes the account's Basic auth; the emulator insists on it.
        media.forEach((item, index) => params.set(`Media${index + 1}`, server.hostMedia(item, { name: 'authorization', value: expectedAuth })));
      } else {
        params.set('Text', input.body);
        params.set('MessageIntent', '');
      }
      params.set('Units', '1');
      params.set('TotalRate', '0.00000');
      params.set('TotalAmount', '0.00000');
      params.set('PowerpackUUID', '');
      return sign(input.webhookUrl, params);
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
