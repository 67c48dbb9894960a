import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProvider } from './http.js';

describe('callProvider', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/hang') return; // takes the request and never answers
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"sid":"SM1"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('reads the answer', async () => {
    const response = await callProvider(fetch, 'test', { method: 'POST', url: `${base}/ok`, body: 'x=1' });
    expect(response).toMatchObject({ status: 200, json: { sid: 'SM1' } });
  });

  it('gives up after its timeout and says the outcome is unknown: the provider may have taken the message', async () => {
    const started = Date.now();
    const failure = await callProvider(fetch, 'test', { method: 'POST', url: `${base}/hang`, body: 'x=1', timeoutMs: 100 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'outcome_unknown' });
    expect((failure as Error).message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
