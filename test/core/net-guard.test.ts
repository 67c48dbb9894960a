import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetGuard, isPrivateAddress, MAX_ANSWER_BYTES, PrivateAddressError } from '../../src/lib/net-guard.js';
import { callProvider } from '../../src/providers/core/http.js';

describe('isPrivateAddress', () => {
  it.each([
    '8.8.8.8', '1.1.1.1', '52.206.134.245', '151.101.1.69', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '2001:4860:4860::8888',
  ])('lets the public address %s through', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
    '::', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::7f00:1', '::127.0.0.1', '64:ff9b::7f00:1', '64:ff9b::a00:1',
    '2002:7f00:1::', 'fec0::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', '[::1]',
  ])('refuses the private or reserved address %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it('treats IPv4-mapped public addresses as the IPv4 address they carry', () => {
    expect(isPrivateAddress('::ffff:8.8.8.8')).toBe(false);
    expect(isPrivateAddress('::ffff:808:808')).toBe(false);
  });
});

describe('guarded fetch', () => {
  const servers: http.Server[] = [];
  let target: string;
  let redirector: string;

  async function listen(host: string, handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    // 127.0.0.2 stands in for an internal service; 127.0.0.1 for an allowed on-premises gateway.
    target = await listen('127.0.0.2', (_req, res) => res.end('internal secret'));
    redirector = await listen('127.0.0.1', (req, res) => {
      res.statusCode = 302;
      res.setHeader('location', req.url === '/to-public-name' ? `http://localhost:${new URL(target).port}/` : `${target}/`);
      res.end();
    });
  });
  afterAll(() => servers.forEach((server) => server.close()));

  it('refuses a private address literal', async () => {
    const guard = createNetGuard();
    await expect(guard.fetch(`${target}/`)).rejects.toBeInstanceOf(PrivateAddressError);
  });

  it('refuses a host name that resolves to a private address, at connect time', async () => {
    const guard = createNetGuard();
    await expect(guard.fetch(`http://localhost:${new URL(target).port}/`)).rejects.toBeInstanceOf(PrivateAddressError);
  });

  it('allows private ranges the operator lists in ALLOW_PRIVATE_URLS', async () => {
    const guard = createNetGuard({ allowPrivate: ['127.0.0.0/8'] });
    const response = await guard.fetch(`${target}/`);
    expect(await response.text()).toBe('internal secret');
  });

  it('checks every redirect hop: an allowed host cannot redirect into a refused one', async () => {
    const guard = createNetGuard({ allowPrivate: ['127.0.0.1/32'] });
    await expect(guard.fetch(`${redirector}/`)).rejects.toBeInstanceOf(PrivateAddressError);
    await expect(createNetGuard().fetch(`${redirector}/to-public-name`)).rejects.toBeInstanceOf(PrivateAddressError);
  });

  it('refuses schemes other than http and https', async () => {
    const guard = createNetGuard({ allowPrivate: ['127.0.0.0/8'] });
    await expect(guard.fetch('file:///etc/passwd')).rejects.toThrow(/only http and https/);
    await expect(guard.checkUrl('ftp://example.com/x')).rejects.toThrow(/only http and https/);
  });

  describe('exchange (the buffered request provider calls use)', () => {
    const exchange = (guard: ReturnType<typeof createNetGuard>, url: string, init: Parameters<NonNullable<ReturnType<typeof createNetGuard>['fetch']['exchange']>>[1] = { method: 'GET' }) => guard.fetch.exchange!(url, init);

    it('refuses private addresses, by literal and at connect time, unless allowed', async () => {
      await expect(exchange(createNetGuard(), `${target}/`)).rejects.toBeInstanceOf(PrivateAddressError);
      await expect(exchange(createNetGuard(), `http://localhost:${new URL(target).port}/`)).rejects.toBeInstanceOf(PrivateAddressError);
      const answer = await exchange(createNetGuard({ allowPrivate: ['127.0.0.0/8'] }), `${target}/`);
      expect(answer).toMatchObject({ status: 200, text: 'internal secret' });
    });

    it('checks every redirect hop', async () => {
      await expect(exchange(createNetGuard({ allowPrivate: ['127.0.0.1/32'] }), `${redirector}/`)).rejects.toBeInstanceOf(PrivateAddressError);
      await expect(exchange(createNetGuard(), `${redirector}/to-public-name`)).rejects.toBeInstanceOf(PrivateAddressError);
      await expect(exchange(createNetGuard(), 'file:///etc/passwd')).rejects.toThrow(/only http and https/);
    });

    it('sends what fetch sends, follows a 303 as a GET without the body, and keeps repeated answer headers', async () => {
      const seen: Array<{ method: string; type: string | undefined; body: string }> = [];
      const echo = await listen('127.0.0.1', (req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          seen.push({ method: req.method!, type: req.headers['content-type'], body });
          if (req.url === '/see-other') {
            res.writeHead(303, { location: '/done' }).end();
            return;
          }
          res.setHeader('set-cookie', ['a=1', 'b=2']);
          res.setHeader('content-type', 'application/json');
          res.end('{"ok":true}');
        });
      });
      const guard = createNetGuard({ allowPrivate: ['127.0.0.1/32'] });
      const answer = await exchange(guard, `${echo}/see-other`, { method: 'POST', body: 'To=%2B1555' });
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('{"ok":true}');
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(answer.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(seen).toEqual([
        { method: 'POST', type: 'text/plain;charset=UTF-8', body: 'To=%2B1555' },
        { method: 'GET', type: undefined, body: '' },
      ]);
      const typed = await exchange(guard, `${echo}/json`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{}') });
      expect(typed.status).toBe(200);
      expect(seen.at(-1)).toEqual({ method: 'POST', type: 'application/json', body: '{}' });
    });

    it('stops reading an answer over MAX_ANSWER_BYTES, and a provider call then says its outcome is unknown', async () => {
      const huge = await listen('127.0.0.1', (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(Buffer.alloc(MAX_ANSWER_BYTES + 1, 0x20));
      });
      const guard = createNetGuard({ allowPrivate: ['127.0.0.1/32'] });
      await expect(exchange(guard, `${huge}/`)).rejects.toThrow(/larger than 1048576 bytes/);
      const exact = await listen('127.0.0.1', (_req, res) => res.end(Buffer.alloc(MAX_ANSWER_BYTES, 0x20)));
      expect((await exchange(guard, `${exact}/`)).text.length).toBe(MAX_ANSWER_BYTES);
      const failure = await callProvider(guard.fetch, 'test', { method: 'POST', url: `${huge}/`, body: 'x=1' }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ kind: 'outcome_unknown' });
    });

    // Requests run on the HTTP thread (lib/http-thread.ts): the caller's abort has to reach it.
    it("ends the request on the HTTP thread when the caller's signal aborts", async () => {
      let received!: () => void;
      let closed!: () => void;
      const requestReceived = new Promise<void>((resolve) => (received = resolve));
      const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
      const hang = await listen('127.0.0.1', (req) => {
        req.socket.once('close', () => closed());
        received();
      });
      const guard = createNetGuard({ allowPrivate: ['127.0.0.1/32'] });
      const controller = new AbortController();
      const pending = exchange(guard, `${hang}/`, { method: 'POST', body: 'x=1', signal: controller.signal });
      await requestReceived;
      controller.abort(new DOMException('gave up', 'TimeoutError'));
      await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
      // Without the abort crossing to the thread, the connection would stay open.
      await Promise.race([connectionClosed, new Promise((_, reject) => setTimeout(() => reject(new Error('the request stayed open on the HTTP thread')), 5_000))]);
      await guard.close();
    });

    it('decodes the answer as UTF-8 on the HTTP thread, a character split across chunks included', async () => {
      const accented = await listen('127.0.0.1', (_req, res) => {
        const bytes = Buffer.from('{"message":"reçu ✓"}');
        const split = bytes.indexOf(0xe2) + 1; // inside the three bytes of ✓
        res.write(bytes.subarray(0, split));
        setTimeout(() => res.end(bytes.subarray(split)), 20);
      });
      const answer = await exchange(createNetGuard({ allowPrivate: ['127.0.0.1/32'] }), `${accented}/`);
      expect(answer.text).toBe('{"message":"reçu ✓"}');
    });

    it('fails a request in flight when the HTTP thread ends (its outcome unknown), and starts a new thread for the next', async () => {
      const hang = await listen('127.0.0.1', (req, res) => {
        if (req.url === '/ok') res.end('fine');
      });
      const guard = createNetGuard({ allowPrivate: ['127.0.0.1/32'] });
      const inFlight = callProvider(guard.fetch, 'test', { method: 'POST', url: `${hang}/hang`, body: 'x=1' }).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await guard.close();
      const failure = await inFlight;
      expect(failure).toMatchObject({ kind: 'outcome_unknown' });
      expect((failure as Error).message).toMatch(/HTTP thread exited/);
      expect(await exchange(guard, `${hang}/ok`)).toMatchObject({ status: 200, text: 'fine' });
      await guard.close();
    });
  });
});
