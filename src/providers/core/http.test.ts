import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetGuard } from '../../lib/net-guard.js';
import { callProvider, downloadMedia, MAX_MEDIA_DOWNLOAD_BYTES } from './http.js';

// The guarded fetch takes its buffered `exchange` path; a plain fetch (what test doubles are) the fetch path.
describe.each([
  ['a plain fetch', () => fetch],
  ['the guarded fetch (exchange)', () => createNetGuard({ allowPrivate: ['127.0.0.1/32'] }).fetch],
])('callProvider through %s', (_name, makeFetch) => {
  const fetchImpl = makeFetch();
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/hang') return; // takes the request and never answers
      if (request.url === '/cut') return void request.socket.destroy(); // drops the connection after reading the request
      if (request.url?.startsWith('/media/')) {
        // Chunked, so no content-length tells the size up front: the reader has to count.
        const total = Number(request.url.slice('/media/'.length));
        response.writeHead(200, { 'content-type': 'image/png' });
        for (let sent = 0; sent < total; sent += 65_536) response.write(Buffer.alloc(Math.min(65_536, total - sent), 1));
        return void response.end();
      }
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
    const response = await callProvider(fetchImpl, 'test', { method: 'POST', url: `${base}/ok`, body: 'x=1' });
    expect(response).toMatchObject({ status: 200, json: { sid: 'SM1' } });
  });

  it('gives up after its timeout and says the outcome is unknown: the provider may have taken the message', async () => {
    const started = Date.now();
    const failure = await callProvider(fetchImpl, 'test', { method: 'POST', url: `${base}/hang`, body: 'x=1', timeoutMs: 100 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'outcome_unknown' });
    expect((failure as Error).message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('says the outcome is unknown when the connection drops after the request went out, and unavailable when it never connected', async () => {
    expect(await callProvider(fetchImpl, 'test', { method: 'POST', url: `${base}/cut`, body: 'x=1' }).catch((error: unknown) => error)).toMatchObject({ kind: 'outcome_unknown' });
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await callProvider(fetchImpl, 'test', { method: 'POST', url: `http://127.0.0.1:${port}/nothing-listens`, body: 'x=1' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ kind: 'unavailable' });
    expect((refused as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('downloads media up to MAX_MEDIA_DOWNLOAD_BYTES and refuses a larger file without a declared size', async () => {
    const fits = await downloadMedia(fetchImpl, 'test', `${base}/media/${MAX_MEDIA_DOWNLOAD_BYTES}`);
    expect(fits).toMatchObject({ contentType: 'image/png' });
    expect(fits.data.length).toBe(MAX_MEDIA_DOWNLOAD_BYTES);
    const refused = await downloadMedia(fetchImpl, 'test', `${base}/media/${MAX_MEDIA_DOWNLOAD_BYTES + 1}`).catch((error: unknown) => error);
    expect(refused).toMatchObject({ kind: 'rejected' });
    expect((refused as Error).message).toMatch(/larger than 10485760 bytes/);
  });
});
