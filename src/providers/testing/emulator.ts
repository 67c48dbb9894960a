/**
 * Building blocks for provider emulators: a local HTTP server that records the API requests an
 * adapter makes, answers in the provider's wire format, serves media, and calls our webhooks
 * signed the way the provider signs them. Each provider's emulator lives in
 * src/providers/<id>/<id>.emulator.ts and implements ProviderEmulator.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body as text (UTF-8). */
  text: string;
  /** Arrival time (ms since the epoch). */
  at: number;
}

/** How an emulator calls our webhooks: real HTTP by default, app.inject in tests. */
export type Deliver = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{ status: number; body: string }>;

/** `send` retried on network errors and 5xx a few times, as carriers retry their webhooks. */
export function retried(send: Deliver): Deliver {
  return async (url, init) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await send(url, init);
        if (result.status < 500 || attempt === 5) return result;
      } catch (error) {
        if (attempt === 5) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  };
}

/** Real HTTP (fetch), retried as carriers retry. */
export const httpDeliver: Deliver = retried(async (url, init) => {
  const response = await fetch(url, { method: init.method, headers: init.headers, body: init.method === 'GET' ? undefined : init.body });
  return { status: response.status, body: await response.text() };
});

export interface EmulatorMedia {
  contentType: string;
  data: Buffer;
}

export interface InboundInput {
  /** The account's webhook URL (from the API's webhookUrls.inbound). */
  webhookUrl: string;
  from: string;
  to: string;
  body: string;
  media?: EmulatorMedia[];
  /** Provider message id; generated when absent (pass the same id to replay a webhook). */
  id?: string;
}

export interface SignedWebhook {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface ProviderEmulator {
  /** The base URL to give the account (`baseUrl`), standing in for the provider's API host. */
  baseUrl: string;
  /** API requests received from the adapter, in order. */
  requests: RecordedRequest[];
  /** The next API request gets this answer instead of the normal one. */
  failNext(status: number, body: unknown, headers?: Record<string, string>): void;
  /** Builds a signed inbound-message webhook as the provider would send it. */
  buildInbound(input: InboundInput): SignedWebhook;
  /** Builds a signed delivery-receipt webhook for a message this emulator accepted. */
  buildStatus(input: { webhookUrl: string; providerMessageId: string; status: string; errorCode?: string }): SignedWebhook;
  /**
   * Optional: the account's webhook URL, once known, for providers whose callback URL is set on
   * the provider's side (e.g. a Bandwidth messaging application) rather than per message.
   */
  useWebhookUrl?(url: string): void;
  /** Sends a built webhook to Switchboard with the emulator's deliver function. */
  deliver(webhook: SignedWebhook): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface EmulatorServer {
  baseUrl: string;
  requests: RecordedRequest[];
  failNext(status: number, body: unknown, headers?: Record<string, string>): void;
  /** Registers bytes to serve at the returned URL (inbound MMS media). */
  hostMedia(media: EmulatorMedia, requireHeader?: { name: string; value: string }): string;
  close(): Promise<void>;
}

export type EmulatorHandler = (request: RecordedRequest, response: http.ServerResponse) => void | Promise<void>;

/** Starts the shared HTTP part of an emulator on 127.0.0.1 with a random port. */
export async function startEmulatorServer(handler: EmulatorHandler, pathPrefix = ''): Promise<EmulatorServer> {
  const requests: RecordedRequest[] = [];
  const failures: Array<{ status: number; body: unknown; headers?: Record<string, string> }> = [];
  const media = new Map<string, { media: EmulatorMedia; requireHeader?: { name: string; value: string } }>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, text: body.toString('utf8'), at: Date.now() };
      const mediaMatch = /\/__media\/([a-z0-9]+)/.exec(recorded.url);
      if (mediaMatch) {
        const item = media.get(mediaMatch[1]!);
        if (!item) return void res.writeHead(404).end();
        if (item.requireHeader && req.headers[item.requireHeader.name.toLowerCase()] !== item.requireHeader.value) return void res.writeHead(401).end('media needs auth');
        return void res.writeHead(200, { 'content-type': item.media.contentType, 'content-length': item.media.data.length }).end(item.media.data);
      }
      requests.push(recorded);
      const failure = failures.shift();
      if (failure) {
        res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
        return void res.end(typeof failure.body === 'string' ? failure.body : JSON.stringify(failure.body));
      }
      Promise.resolve(handler(recorded, res)).catch((error) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: origin + pathPrefix,
    requests,
    failNext: (status, body, headers) => failures.push({ status, body, headers }),
    hostMedia(item, requireHeader) {
      const id = randomBytes(8).toString('hex');
      media.set(id, { media: item, requireHeader });
      return `${origin}/__media/${id}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Runs a callback later without keeping the process alive. */
export function later(ms: number, fn: () => Promise<unknown>): void {
  setTimeout(() => void fn().catch(() => undefined), ms).unref();
}

/** A 1×1 PNG, for MMS tests. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
