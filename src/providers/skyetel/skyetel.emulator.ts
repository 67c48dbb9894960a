/**
 * A local stand-in for Skyetel's SMS API v1: POST /v1/out?from=<11 digits> with Basic auth and a
 * JSON `{to, text, media}`, answered 200. Skyetel sends no delivery receipts, so neither does this;
 * inbound messages are JSON posts `{from, to, text, media}` with no signature (the URL's token is
 * the only proof). The answer body is not documented; this one carries no id.
 */
import { basicAuth } from '../core/http.js';
import { httpDeliver, sendJson, startEmulatorServer, type Deliver, type ProviderEmulator } from '../testing/emulator.js';

export interface SkyetelEmulatorOptions {
  sid: string;
  secret: string;
  deliver?: Deliver;
}

export async function startSkyetelEmulator(options: SkyetelEmulatorOptions): Promise<ProviderEmulator> {
  const deliver = options.deliver ?? httpDeliver;
  const expectedAuth = basicAuth(options.sid, options.secret);

  const server = await startEmulatorServer((request, response) => {
    const url = new URL(request.url, 'http://emulator');
    if (request.method !== 'POST' || url.pathname !== '/v1/out') return sendJson(response, 404, { ERROR: 'Not found' });
    if (request.headers.authorization !== expectedAuth) return sendJson(response, 401, { ERROR: 'Invalid SID or secret' });
    if (!/^application\/json/.test(request.headers['content-type'] ?? '')) return sendJson(response, 400, { ERROR: 'Content-Type must be application/json' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.text) as Record<string, unknown>;
    } catch {
      return sendJson(response, 400, { ERROR: 'Invalid JSON' });
    }
    const from = url.searchParams.get('from') ?? '';
    if (!/^1\d{10}$/.test(from) || typeof body.to !== 'string' || !/^1\d{10}$/.test(body.to)) return sendJson(response, 400, { ERROR: 'from (query) and to must be 11-digit numbers' });
    if (typeof body.text !== 'string' || body.text.length > 1024) return sendJson(response, 400, { ERROR: 'text is required, at most 1024 characters' });
    if (body.media !== undefined && !Array.isArray(body.media)) return sendJson(response, 400, { ERROR: 'media must be a list of URLs' });
    sendJson(response, 200, { status: 'OK' });
  });

  return {
    baseUrl: server.baseUrl,
    requests: server.requests,
    failNext: server.failNext,
    buildInbound(input) {
      const payload: Record<string, unknown> = { from: input.from.replace(/^\+/, ''), to: input.to.replace(/^\+/, ''), text: input.body };
      if (input.media?.length) payload.media = input.media.map((item) => server.hostMedia(item));
      return { method: 'POST', url: input.webhookUrl, headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) };
    },
    buildStatus() {
      throw new Error('Skyetel sends no delivery receipts');
    },
    deliver: (webhook) => deliver(webhook.url, webhook),
    close: server.close,
  };
}
