import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../src/plugins/security-headers.js';
import { createTestApp, createTestTenant, type TestApp, type Tenant } from '../helper.js';

/** What every answer carries, whatever produced it (page, JSON, webhook, hijacked stream). */
function expectSecurityHeaders(headers: http.IncomingHttpHeaders | http.OutgoingHttpHeaders, what: string): void {
  expect(headers['content-security-policy'], what).toMatch(/frame-ancestors 'none'/);
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['x-frame-options'], what).toBe('SAMEORIGIN');
  expect(headers['referrer-policy'], what).toBe('no-referrer');
  expect(headers['cross-origin-resource-policy'], what).toBe('cross-origin');
  expect(headers['x-powered-by'], what).toBeUndefined();
}

describe('security headers', () => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp({ workers: false });
    tenant = await createTestTenant(t.ctx);
  });
  afterAll(() => t.close());

  it('are decided once from the configuration: HSTS and upgrade-insecure-requests only behind https', () => {
    const plain = securityHeaders('http://switchboard.test');
    expect(plain['strict-transport-security']).toBeUndefined();
    expect(plain['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
    const secure = securityHeaders('https://switchboard.example');
    expect(secure['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(secure['content-security-policy']).toMatch(/upgrade-insecure-requests/);
    expect(secure['content-security-policy']).toMatch(/script-src 'self'/);
  });

  it('are on pages, API answers, errors and webhook answers', async () => {
    const answers = {
      page: await t.app.inject({ method: 'GET', url: '/' }),
      health: await t.app.inject({ method: 'GET', url: '/healthz' }),
      unauthenticated: await t.app.inject({ method: 'GET', url: '/api/v1/messages' }),
      list: await t.app.inject({ method: 'GET', url: '/api/v1/messages', headers: tenant.auth }),
      webhook: await t.app.inject({ method: 'POST', url: '/webhook/twilio/sms', payload: 'Body=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      notFound: await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: tenant.auth }),
    };
    for (const [what, answer] of Object.entries(answers)) expectSecurityHeaders(answer.headers, what);
    expect(answers.list.statusCode).toBe(200);
    expect(answers.unauthenticated.statusCode).toBe(401);
  });

  it('are on hijacked answers too: a CSV export and the event stream', async () => {
    const csv = await t.app.inject({ method: 'GET', url: '/api/v1/messages?format=csv', headers: tenant.auth });
    expect(csv.headers['content-type']).toContain('text/csv');
    expectSecurityHeaders(csv.headers, 'messages csv');

    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/api/v1/events', headers: tenant.auth }, resolve).on('error', reject);
    });
    stream.destroy();
    expect(stream.headers['content-type']).toBe('text/event-stream');
    expectSecurityHeaders(stream.headers, 'event stream');
  });
});
