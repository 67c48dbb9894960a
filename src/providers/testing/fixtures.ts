/** Recorded webhook payloads (`__fixtures__/<name>.json`: {method, url, headers, body}) for adapter unit tests. */
import fs from 'node:fs';
import type { AdapterDeps, WebhookRequest } from '../core/types.js';

export function loadWebhookFixture(folder: URL, name: string): WebhookRequest {
  const recorded = JSON.parse(fs.readFileSync(new URL(`${name}.json`, folder), 'utf8')) as { method: string; url: string; headers: Record<string, string>; body: string };
  return { method: recorded.method, url: recorded.url, headers: recorded.headers, rawBody: Buffer.from(recorded.body, 'utf8'), query: Object.fromEntries(new URL(recorded.url).searchParams) };
}

/** Adapter dependencies for tests that must not touch the network. */
export const offlineDeps: AdapterDeps = {
  fetch: (async () => {
    throw new Error('tests make no network calls');
  }) as typeof fetch,
  clock: () => new Date(),
  readOwnMedia: async () => null,
  loopback: async () => undefined,
};
