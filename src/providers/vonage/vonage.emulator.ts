/**
 * A local stand-in for Vonage, one API per instance:
 * - `sms`: `POST /sms/json` with api_key/api_secret, answered 200 with per-part statuses; DLRs
 *   (accepted → delivered) and inbound SMS posted as forms signed with `sig`.
 * - `messages`: `POST /v1/messages` with an RS256 application JWT, answered 202 with a
 *   message_uuid; status (submitted → delivered) and inbound SMS/MMS posted as JSON with an HS256
 *   JWT carrying payload_hash.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type RecordedRequest, type SignedWebhook } from '../testing/emulator.js';
import type http from 'node:http';
import { sha256Hex, signJwt, verifyRs256, vonageSmsSignature, type VonageSignatureMethod } from './vonage.signature.js';
import { toVonageNumber } from './vonage.types.js';

export interface VonageEmulatorOptions {
  api: 'sms' | 'messages';
  apiKey: string;
  apiSecret: string;
  signatureSecret: string;
  signatureMethod?: VonageSignatureMethod;
  applicationId?: string;
  privateKey?: string;
  deliver?: Deliver;
  /** Delay between receipts (real carriers space them by seconds); 0 sends none. */
  callbackDelayMs?: number;
}

export type VonageEmulator = ProviderEmulator & {
  /** `at` signs the webhook as if sent then (stale-signature tests). */
  buildInbound(input: InboundInput, at?: Date): SignedWebhook;
  statusCallbacks: SignedWebhook[];
};

const seconds = (at: Date) => Math.floor(at.getTime() / 1000);
const vonageTimestamp = (at: Date) => at.toISOString().slice(0, 19).replace('T', ' ');

export async function startVonageEmulator(options: VonageEmulatorOptions): Promise<VonageEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 40;
  const statusCallbacks: SignedWebhook[] = [];

  const signForm = (url: string, params: Record<string, string>, at: Date): SignedWebhook => {
    const signed = { ...params, 'api-key': options.apiKey, 'message-timestamp': vonageTimestamp(at), timestamp: String(seconds(at)), nonce: randomUUID() };
    const sig = vonageSmsSignature(signed, options.signatureSecret, options.signatureMethod ?? 'sha256');
    return { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Nexmo/MessagingHUB/v1.0' }, body: new URLSearchParams({ ...signed, sig }).toString() };
  };

  const signJson = (url: string, event: Record<string, unknown>, at: Date): SignedWebhook => {
    const body = JSON.stringify(event);
    const claims = { iat: seconds(at), jti: randomUUID(), iss: 'Vonage', payload_hash: sha256Hex(body), api_key: options.apiKey, application_id: options.applicationId };
    return { method: 'POST', url, headers: { 'content-type': 'application/json', authorization: `Bearer ${signJwt(claims, options.signatureSecret, 'HS256')}` }, body };
  };

  function buildStatus(input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string; from?: string; to?: string }): SignedWebhook {
    const at = new Date();
    if (options.api === 'sms') {
      const params: Record<string, string> = { msisdn: input.to ?? '15551234567', to: input.from ?? '15005550006', 'network-code': '310260', messageId: input.providerMessageId, price: '0.00660000', status: input.status, scts: vonageTimestamp(at).replace(/\D/g, '').slice(2, 12), 'err-code': input.errorCode ?? '0', 'client-ref': 'ref' };
      return signForm(input.webhookUrl, params, at);
    }
    const event: Record<string, unknown> = { message_uuid: input.providerMessageId, to: input.to ?? '15551234567', from: input.from ?? '15005550006', timestamp: at.toISOString(), status: input.status, channel: 'sms', usage: { currency: 'EUR', price: '0.0333' } };
    if (input.errorCode) event.error = { type: `https://developer.vonage.com/api-errors/messages#${input.errorCode}`, title: input.errorCode, detail: 'Message was rejected by the carrier', instance: randomUUID() };
    return signJson(input.webhookUrl, event, at);
  }

  const scheduleReceipts = (callback: string | undefined, id: string, from: string, to: string, statuses: string[]) => {
    if (!callback || delay <= 0) return;
    statuses.forEach((status, index) =>
      later(delay * (index + 1), async () => {
        const webhook = buildStatus({ webhookUrl: callback, providerMessageId: id, status, from, to });
        statusCallbacks.push(webhook);
        return deliver(webhook.url, webhook);
      }),
    );
  };

  function handleSms(request: RecordedRequest, response: http.ServerResponse) {
    const json = /json/.test(request.headers['content-type'] ?? '');
    const params: Record<string, unknown> = json ? JSON.parse(request.text || '{}') : Object.fromEntries(new URLSearchParams(request.text));
    const part = (status: string, extra: Record<string, string>) => sendJson(response, 200, { 'message-count': '1', messages: [{ status, ...extra }] });
    if (params.api_key !== options.apiKey || params.api_secret !== options.apiSecret) return part('4', { 'error-text': 'Bad Credentials' });
    const to = String(params.to ?? '');
    if (!params.from || !params.text) return part('2', { 'error-text': 'Missing from param' });
    if (!/^[1-9]\d{6,14}$/.test(to)) return part('3', { 'error-text': 'Invalid to param' });
    const id = randomBytes(8).toString('hex').toUpperCase();
    part('0', { to, 'message-id': id, 'remaining-balance': '14.62', 'message-price': '0.0066', network: '310260' });
    scheduleReceipts(params.callback as string | undefined, id, String(params.from), to, ['accepted', 'delivered']);
  }

  function handleMessages(request: RecordedRequest, response: http.ServerResponse) {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const claims = token && options.privateKey ? verifyRs256(token, options.privateKey) : null;
    if (!claims || claims.application_id !== options.applicationId || Number(claims.exp) * 1000 < Date.now()) {
      return sendJson(response, 401, { type: 'https://developer.nexmo.com/api-errors#unauthorized', title: 'Invalid Token', detail: 'You did not provide a valid token', instance: randomUUID() });
    }
    const body = JSON.parse(request.text || '{}');
    const invalid = (detail: string) => sendJson(response, 422, { type: 'https://developer.nexmo.com/api-errors/messages-olympus#1150', title: 'Invalid params', detail, instance: randomUUID() });
    if (!/^[1-9]\d{6,14}$/.test(String(body.to ?? ''))) return invalid('The value of the `to` parameter is invalid.');
    if (!body.from) return invalid('The `from` parameter is required.');
    if (body.channel === 'sms' ? body.message_type !== 'text' || !body.text : body.channel !== 'mms' || body.message_type !== 'image' || !body.image?.url) return invalid('Unsupported channel or message_type.');
    const id = randomUUID();
    sendJson(response, 202, { message_uuid: id });
    scheduleReceipts(body.webhook_url, id, String(body.from), String(body.to), ['submitted', 'delivered']);
  }

  const server = await startEmulatorServer((request, response) => {
    const path = request.url.split('?')[0];
    if (request.method === 'POST' && options.api === 'sms' && path === '/sms/json') return handleSms(request, response);
    if (request.method === 'POST' && options.api === 'messages' && path === '/v1/messages') return handleMessages(request, response);
    sendJson(response, 404, { type: 'https://developer.nexmo.com/api-errors#not-found', title: 'Not Found', detail: `${request.method} ${path} does not exist` });
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    statusCallbacks,
    failNext: server.failNext,
    buildInbound(input: InboundInput, at: Date = new Date()) {
      const id = input.id ?? (options.api === 'sms' ? randomBytes(8).toString('hex').toUpperCase() : randomUUID());
      if (options.api === 'sms') {
        if (input.media?.length) throw new Error('the Vonage SMS API has no MMS');
        return signForm(input.webhookUrl, { msisdn: toVonageNumber(input.from), to: toVonageNumber(input.to), messageId: id, text: input.body, type: 'text', keyword: input.body.split(/\s+/)[0]!.toUpperCase() }, at);
      }
      const media = input.media?.[0];
      const event: Record<string, unknown> = { channel: media ? 'mms' : 'sms', message_uuid: id, to: toVonageNumber(input.to), from: toVonageNumber(input.from), timestamp: at.toISOString(), message_type: media ? 'image' : 'text' };
      if (media) event.image = { url: server.hostMedia(media), caption: input.body };
      else Object.assign(event, { text: input.body, sms: { num_messages: '1', keyword: input.body.split(/\s+/)[0]!.toUpperCase() }, usage: { price: '0.0057', currency: 'EUR' } });
      return signJson(input.webhookUrl, event, at);
    },
    buildStatus,
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
