/**
 * A local stand-in for Bandwidth's Messaging API v2: accepts JSON sends with API Basic auth,
 * answers 202 with the message, then posts callbacks (MMS: message-sending; then
 * message-delivered per recipient) as a JSON array to the application's callback URL with the
 * callback credentials as Basic auth. Inbound media is served only to the API credentials.
 */
import { randomBytes } from 'node:crypto';
import { basicAuth } from '../core/http.js';
import { httpDeliver, later, sendJson, startEmulatorServer, type Deliver, type InboundInput, type ProviderEmulator, type SignedWebhook } from '../testing/emulator.js';

export interface BandwidthEmulatorOptions {
  accountId: string;
  apiToken: string;
  apiSecret: string;
  applicationId: string;
  callbackUsername: string;
  callbackPassword: string;
  /** The application's callback URL (also settable later with useWebhookUrl). */
  callbackUrl?: string;
  deliver?: Deliver;
  /** Delay between callbacks; 0 sends none. */
  callbackDelayMs?: number;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const messageId = () => `${Date.now()}${randomBytes(8).toString('hex').slice(0, 15)}`;

export async function startBandwidthEmulator(options: BandwidthEmulatorOptions): Promise<ProviderEmulator & { callbacks: SignedWebhook[] }> {
  const deliver = options.deliver ?? httpDeliver;
  const delay = options.callbackDelayMs ?? 5;
  const apiAuth = basicAuth(options.apiToken, options.apiSecret);
  let callbackUrl = options.callbackUrl;
  const callbacks: SignedWebhook[] = [];
  const validation = (fieldName: string, description: string) => ({ type: 'request-validation', description: 'Your request could not be accepted.', fieldErrors: [{ fieldName, description }] });

  const post = (url: string, events: unknown[]): SignedWebhook => ({
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'BandwidthAPI/v2', Authorization: basicAuth(options.callbackUsername, options.callbackPassword) },
    body: JSON.stringify(events),
  });

  const statusEvent = (input: { providerMessageId: string; status: string; errorCode?: string; from?: string; to?: string[]; recipient?: string; media?: string[]; tag?: string }) => {
    const to = input.to ?? ['+15551234567'];
    const event: Record<string, unknown> = {
      type: input.status,
      time: new Date().toISOString(),
      description: input.errorCode ? 'rejected-unallocated-to-number' : input.status === 'message-delivered' ? 'ok' : 'Message is sending to carrier',
      to: input.recipient ?? to[0],
      message: {
        id: input.providerMessageId, owner: input.from ?? '+15005550006', applicationId: options.applicationId, time: new Date().toISOString(), segmentCount: 1,
        direction: 'out', to, from: input.from ?? '+15005550006', text: '', media: input.media ?? [], tag: input.tag ?? '', priority: 'default',
      },
    };
    if (input.errorCode) event.errorCode = Number(input.errorCode);
    return event;
  };

  const server = await startEmulatorServer((request, response) => {
    const match = /^\/api\/v2\/users\/([^/]+)\/messages$/.exec(request.url.split('?')[0]!);
    if (request.method !== 'POST' || !match) {
      return sendJson(response, 404, { timestamp: new Date().toISOString(), status: 404, error: 'Not Found', message: 'No message available', path: request.url });
    }
    if (request.headers.authorization !== apiAuth) return sendJson(response, 401, { type: 'unauthorized', description: 'Authentication Failed' });
    if (decodeURIComponent(match[1]!) !== options.accountId) return sendJson(response, 403, { type: 'forbidden', description: 'Access is denied' });
    if (!/^application\/json/.test(request.headers['content-type'] ?? '')) {
      return sendJson(response, 415, { type: 'unsupported-content-type', description: 'Content-Type must be application/json; charset=utf-8' });
    }
    let body: { applicationId?: string; to?: string | string[]; from?: string; text?: string; media?: string[]; tag?: string };
    try {
      body = JSON.parse(request.text);
    } catch {
      return sendJson(response, 400, { type: 'request-validation', description: 'Malformed JSON request body' });
    }
    const to = Array.isArray(body.to) ? body.to : [body.to];
    if (body.applicationId !== options.applicationId) return sendJson(response, 400, validation('applicationId', `'${body.applicationId}' is not a messaging application of this account`));
    const badTo = to.find((n) => typeof n !== 'string' || !E164.test(n));
    if (badTo !== undefined || to.length > 10) return sendJson(response, 400, validation('to', `'${badTo}' must be replaced with a valid E164 formatted telephone number`));
    if (!body.from) return sendJson(response, 400, validation('from', 'from is required'));
    if (!body.text && !body.media?.length) return sendJson(response, 400, validation('text', 'text or media is required'));
    const id = messageId();
    const recipients = to as string[];
    sendJson(response, 202, {
      id, owner: body.from, applicationId: body.applicationId, time: new Date().toISOString(), segmentCount: 1, direction: 'out',
      to: recipients, from: body.from, text: body.text ?? '', ...(body.media ? { media: body.media } : {}), tag: body.tag ?? '', priority: 'default',
    });
    const mms = Boolean(body.media?.length) || recipients.length > 1;
    const sequence = [...(mms ? ['message-sending'] : []), 'message-delivered'];
    if (delay > 0) {
      sequence.forEach((status, index) =>
        later(delay * (index + 1), async () => {
          if (!callbackUrl) return;
          for (const recipient of recipients) {
            const webhook = post(callbackUrl, [statusEvent({ providerMessageId: id, status, from: body.from, to: recipients, recipient, media: body.media, tag: body.tag })]);
            callbacks.push(webhook);
            await deliver(webhook.url, webhook);
          }
        }),
      );
    }
  }, '/api/v2');

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    callbacks,
    failNext: server.failNext,
    useWebhookUrl(url) {
      callbackUrl = url;
    },
    buildInbound(input: InboundInput) {
      const id = input.id ?? messageId();
      // Real URLs look like .../users/{accountId}/media/{messageId}/0/name.png and need API Basic auth.
      const media = (input.media ?? []).map((item) => server.hostMedia(item, { name: 'authorization', value: apiAuth }));
      const time = new Date().toISOString();
      return post(input.webhookUrl, [
        {
          type: 'message-received', time, description: 'Incoming message received', to: input.to,
          message: {
            id, owner: input.to, applicationId: options.applicationId, time, segmentCount: 1, direction: 'in',
            to: [input.to], from: input.from, text: input.body, ...(media.length ? { media } : {}),
          },
        },
      ]);
    },
    buildStatus: (input) => post(input.webhookUrl, [statusEvent(input)]),
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
