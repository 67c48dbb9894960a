/**
 * A local stand-in for BulkVS REST v1.0: POST {base}/messageSend with Basic auth and 11-digit
 * numbers, answered with `RefId` and per-recipient `Results`. Like the live service (as integrations
 * report it), receipts go to the account's message webhook as SMPP receipt text with their own
 * SMPP id, not the RefId; inbound messages carry `Message` form-encoded and MMS as .smil/picture/.txt
 * URLs. Nothing is signed (the URL's token is the only proof).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { basicAuth } from '../core/http.js';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';

export interface BulkvsEmulatorOptions {
  apiUsername: string;
  apiToken: string;
  deliver?: Deliver;
  /** Delay before the receipt; 0 sends none. */
  callbackDelayMs?: number;
}

/** How BulkVS puts text in the JSON: form-encoded (space as "+"). */
const formEncode = (text: string) => new URLSearchParams({ m: text }).toString().slice(2);
const smppDate = (date: Date) => date.toISOString().replace(/\D/g, '').slice(2, 12);

export function smppReceipt(id: string, stat: string, err = '000'): string {
  const at = smppDate(new Date());
  return `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${at} done date:${at} stat:${stat} err:${err} text:`;
}

function jsonPost(url: string, body: unknown): SignedWebhook {
  return { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** A receipt as BulkVS posts it: From = the recipient, To = [our number] (11 digits each). */
export interface BulkvsReceiptInput {
  webhookUrl: string;
  providerMessageId: string;
  status: string;
  errorCode?: string;
  from?: string;
  to?: string;
}

export async function startBulkvsEmulator(options: BulkvsEmulatorOptions): Promise<ProviderEmulator & { buildStatus(input: BulkvsReceiptInput): SignedWebhook }> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  const expectedAuth = basicAuth(options.apiUsername, options.apiToken);
  let webhookUrl: string | null = null;

  const buildStatus = (input: BulkvsReceiptInput) =>
    jsonPost(input.webhookUrl, { From: input.from ?? '15551234567', To: [input.to ?? '15005550006'], Message: formEncode(smppReceipt(input.providerMessageId, input.status, input.errorCode ?? '000')), DeliveryReceipt: true });

  const server = await startEmulatorServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/api/v1.0/messageSend') return sendJson(response, 404, { Code: '404', Description: 'Not found' });
    if (request.headers.authorization !== expectedAuth) return sendJson(response, 401, { Code: '401', Description: 'Unauthorized' });
    let body: Record<string, any>;
    try {
      body = JSON.parse(request.text) as Record<string, any>;
    } catch {
      return sendJson(response, 400, { Code: '400', Description: 'Invalid JSON' });
    }
    if (typeof body.From !== 'string' || !Array.isArray(body.To) || (body.MediaURLs !== undefined && !Array.isArray(body.MediaURLs))) {
      return sendJson(response, 400, { Code: '400', Description: 'From, To[] (and MediaURLs[]) are required' });
    }
    const isMms = Array.isArray(body.MediaURLs) && body.MediaURLs.length > 0;
    const results: Array<{ To: string; Status: string }> = body.To.map((to: unknown) => ({ To: String(to), Status: typeof to === 'string' && /^1\d{10}$/.test(to) && /^1\d{10}$/.test(body.From) ? 'SUCCESS' : 'FAILED: Invalid number' }));
    sendJson(response, 200, { RefId: randomUUID(), From: body.From, MessageType: isMms ? 'MMS' : 'SMS', Results: results });
    for (const result of results) {
      if (result.Status !== 'SUCCESS' || !webhookUrl || delay <= 0) continue;
      const receipt = buildStatus({ webhookUrl, providerMessageId: String(randomInt(1_000_000_000, 2_000_000_000)), status: 'DELIVRD', from: result.To, to: body.From });
      later(delay, () => deliver(receipt.url, receipt));
    }
  });

  return {
    baseUrl: `${server.baseUrl}/api/v1.0`,
    requests: server.requests,
    failNext: server.failNext,
    useWebhookUrl(url) {
      webhookUrl = url;
    },
    buildInbound(input) {
      const media = input.media ?? [];
      const payload: Record<string, unknown> = { From: input.from.replace(/^\+/, ''), To: [input.to.replace(/^\+/, '')], Message: formEncode(input.body) };
      if (input.id) payload.RefId = input.id;
      if (media.length > 0) {
        // An MMS arrives as its parts: the SMIL layout, each picture, and the text.
        payload.MediaURLs = [
          server.hostMedia({ contentType: 'application/smil', data: Buffer.from('<smil/>') }) + '.smil',
          ...media.map((item) => server.hostMedia(item) + (item.contentType === 'image/png' ? '.png' : '.jpg')),
          server.hostMedia({ contentType: 'text/plain', data: Buffer.from(input.body) }) + '.txt',
        ];
      }
      return jsonPost(input.webhookUrl, payload);
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
