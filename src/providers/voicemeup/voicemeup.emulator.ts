/**
 * A local stand-in for VoiceMeUp's clients API v1.1: accepts form posts on
 * POST /api/v1.1/json/queue_sms with `username` and `auth_token` fields and answers with
 * VoiceMeUp's `response_details` envelope. No delivery receipts (none are known). Inbound
 * callbacks are unsigned form posts; an MMS can be built as VoiceMeUp splits it (buildSplitMms):
 * the text with an `.mms.html` wrapper, then the media, both with the same transmission time.
 */
import { randomBytes } from 'node:crypto';
import { httpDeliver, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';

export interface VoicemeupEmulatorOptions {
  username: string;
  authToken: string;
  deliver?: Deliver;
}

export interface VoicemeupEmulator extends ProviderEmulator {
  /** The two callbacks of one split MMS: [text + wrapper, media]. */
  buildSplitMms(input: InboundInput & { datetime?: string }): [SignedWebhook, SignedWebhook];
}

const hash = () => randomBytes(16).toString('hex');
const formPost = (url: string, fields: Record<string, string>): SignedWebhook => ({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const envelope = (status: 'success' | 'error', message: { code: string; _content: string }) => ({ response_details: { response_status: status, response_messages: { message: [message] } } });

export async function startVoicemeupEmulator(options: VoicemeupEmulatorOptions): Promise<VoicemeupEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const server = await startEmulatorServer((request, response) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/api/v1.1/json/queue_sms') return sendJson(response, 404, envelope('error', { code: 'not_found', _content: 'Unknown API method' }));
    const form = new URLSearchParams(request.text);
    if (form.get('username') !== options.username || form.get('auth_token') !== options.authToken) return sendJson(response, 200, envelope('error', { code: 'authentication_failed', _content: 'Invalid username or auth token' }));
    const isNumber = (value: string | null) => value !== null && /^1\d{10}$/.test(value);
    if (!isNumber(form.get('source_number'))) return sendJson(response, 200, envelope('error', { code: 'invalid_source_number', _content: 'Source number is not a DID of this account' }));
    if (!isNumber(form.get('destination_number'))) return sendJson(response, 200, envelope('error', { code: 'invalid_destination_number', _content: 'Invalid destination number' }));
    if (!form.get('message') && !form.get('attachment')) return sendJson(response, 200, envelope('error', { code: 'missing_message', _content: 'A message or an attachment is required' }));
    sendJson(response, 200, envelope('success', { code: 'queued_sms_hash', _content: hash() }));
  });

  const callback = (input: InboundInput, extra: Record<string, string>, datetime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')) =>
    formPost(input.webhookUrl, { message: input.body, source_number: input.from, destination_number: input.to, direction: 'inbound', sms_hash: input.id ?? hash(), datetime_transmission: datetime, ...extra });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    buildInbound(input: InboundInput) {
      const media = input.media?.[0];
      return callback(input, media ? { attachment: server.hostMedia(media), attachment_mime_type: media.contentType } : {});
    },
    buildSplitMms(input) {
      const datetime = input.datetime ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const media = input.media?.[0];
      if (!media) throw new Error('a split MMS needs media');
      const wrapper = server.hostMedia({ contentType: 'text/html', data: Buffer.from('<html><body>MMS</body></html>') }) + '/msg.mms.html';
      return [
        callback({ ...input, id: undefined }, { attachment: wrapper, attachment_mime_type: 'text/html' }, datetime),
        callback({ ...input, body: '', id: undefined }, { attachment: server.hostMedia(media), attachment_mime_type: media.contentType }, datetime),
      ];
    },
    buildStatus(): SignedWebhook {
      throw new Error('VoiceMeUp sends no delivery receipts');
    },
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
