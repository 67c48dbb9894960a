import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetGuard, isPrivateAddress, PrivateAddressError } from '../../src/lib/net-guard.js';

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
});
