/**
 * A local stand-in for VoIP Innovations' Programmable Messaging (Apidaze) API: accepts form posts
 * on POST /{api_key}/sms/send?api_secret=… and answers `{ok, message, details: {uuid}}`. It sends
 * no delivery receipts (none are documented). Inbound webhooks are JSON `incomingWebhookSMS` /
 * `incomingWebhookMMS` posts with no signature; the URL's token is the only proof.
 */
import { randomUUID } from 'node:crypto';
import { sendJson, startEmulatorServer, httpDeliver, type Deliver, type InboundInput, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';

export interface VoipinnovationsEmulatorOptions {
  apiKey: string;
  apiSecret: string;
  deliver?: Deliver;
}

const digits = (value: string) => value.replace(/^\+/, '');

export async function startVoipinnovationsEmulator(options: VoipinnovationsEmulatorOptions): Promise<ProviderEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const server = await startEmulatorServer((request, response) => {
    const url = new URL(request.url, 'http://emulator');
    const match = /^\/([^/]+)\/sms\/send$/.exec(url.pathname);
    if (request.method !== 'POST' || !match) return sendJson(response, 404, { ok: false, message: 'Not found' });
    if (decodeURIComponent(match[1]!) !== options.apiKey || url.searchParams.get('api_secret') !== options.apiSecret) return sendJson(response, 401, { ok: false, message: 'Invalid API key or secret' });
    if (!/x-www-form-urlencoded/.test(request.headers['content-type'] ?? '')) return sendJson(response, 415, { ok: false, message: 'Use application/x-www-form-urlencoded' });
    const form = new URLSearchParams(request.text);
    const isNumber = (value: string | null) => value !== null && /^[1-9]\d{9,14}$/.test(value);
    if (!isNumber(form.get('from'))) return sendJson(response, 400, { ok: false, message: 'Invalid from number' });
    if (!isNumber(form.get('to'))) return sendJson(response, 400, { ok: false, message: 'Invalid destination number' });
    if (!form.get('body')) return sendJson(response, 400, { ok: false, message: 'body is required' });
    if (form.get('message_type') === 'MMS' && form.getAll('file_urls[]').length === 0) return sendJson(response, 400, { ok: false, message: 'file_urls is required for MMS' });
    sendJson(response, 200, { ok: true, message: 'Message sent', details: { uuid: randomUUID() } });
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    buildInbound(input: InboundInput): SignedWebhook {
      const files = (input.media ?? []).map((item) => server.hostMedia(item));
      const body = {
        type: files.length > 0 ? 'incomingWebhookMMS' : 'incomingWebhookSMS',
        caller_id_number: digits(input.from),
        destination_number: digits(input.to),
        text: input.body,
        ...(files.length > 0 ? { files } : {}),
        // No id field is documented; the emulator sends the first one integrations look for.
        reference_id: input.id ?? randomUUID(),
      };
      return { method: 'POST', url: input.webhookUrl, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    },
    buildStatus(): SignedWebhook {
      throw new Error('VoIP Innovations sends no delivery receipts');
    },
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
