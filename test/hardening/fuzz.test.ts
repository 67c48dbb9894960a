/**
 * Issue 10, "keep it from coming back": a bounded fuzz run over every route of the OpenAPI
 * document and every provider's webhook route with generated bad input (wrong types, NUL, huge
 * strings, deep nesting, bad ids, bad content types). Not one 5xx; the server healthy afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../src/providers/core/registry.js';
import { createAccountAndNumber, createTestApp, createTestTenant, type Tenant, type TestApp } from '../helper.js';

const HUGE = 'x'.repeat(200_000);
const DEEP_JSON = '['.repeat(5000) + ']'.repeat(5000);
const DEEP_OBJECT = JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200));
const BAD_VALUES: unknown[] = [null, 0, -1, 1e308, true, '', ' ', '\u0000', 'a\u0000b', HUGE.slice(0, 20_000), [], [null], [{}], {}, DEEP_OBJECT, '../../etc/passwd', "' or 1=1 --", '<script>alert(1)</script>', '+1555\u0000', '9'.repeat(400)];
const BAD_SEGMENTS = ['x', '%00', 'a'.repeat(3000), '..%2F..%2Fetc', '%27%20or%201%3D1', '%F0%9F%92%A9', '-1', '99999999999999999999999'];
const BAD_QUERY_VALUES = ['', '%00', 'a'.repeat(3000), '-1', '1e999', '99999999999999999999', 'true', '%5B%5D', '2026-99-99', 'null'];

interface Operation {
  path: string;
  method: string;
  params: Array<{ name: string; in: string }>;
  bodyProperties: string[];
}

describe('fuzzing every route', () => {
  let t: TestApp;
  let tenant: Tenant;
  let operations: Operation[] = [];
  const fiveHundreds: string[] = [];
  let requests = 0;

  const record = (label: string, status: number, body: string) => {
    requests += 1;
    if (status >= 500) fiveHundreds.push(`${label} → ${status} ${body.slice(0, 160)}`);
  };

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTestTenant(t.ctx);
    await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: '+15005550006' });
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
    };
    operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/') && path !== '/api/v1/events')
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          path,
          method: method.toUpperCase(),
          params: op.parameters ?? [],
          bodyProperties: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
        })),
      );
  });
  afterAll(() => t.close());

  const call = async (label: string, options: { method: string; url: string; payload?: string | object; headers?: Record<string, string> }) => {
    const response = await t.app.inject({ method: options.method as 'GET', url: options.url, payload: options.payload as string, headers: { ...tenant.auth, ...(options.headers ?? {}) } });
    record(label, response.statusCode, response.body);
  };

  it('answers bad input on every API route with 4xx, never 5xx', async () => {
    expect(operations.length).toBeGreaterThan(40);
    for (const op of operations) {
      const fill = (segment: string) => op.path.replace(/\{[^}]+\}/g, segment);
      // Bad ids and path segments.
      for (const segment of BAD_SEGMENTS) await call(`${op.method} ${op.path} [path ${segment.slice(0, 12)}]`, { method: op.method, url: fill(segment), payload: op.method === 'GET' || op.method === 'DELETE' ? undefined : {} });
      const url = fill('x_missing');
      // Query parameters of the wrong shape.
      for (const param of op.params.filter((p) => p.in === 'query')) {
        for (const value of BAD_QUERY_VALUES) await call(`${op.method} ${op.path} [?${param.name}=${value.slice(0, 12)}]`, { method: op.method, url: `${url}?${param.name}=${value}` });
      }
      if (op.method === 'GET' || op.method === 'DELETE') continue;
      // Whole bodies of the wrong kind.
      for (const [label, payload, type] of [
        ['invalid json', '{"a":', 'application/json'],
        ['array', '[]', 'application/json'],
        ['null', 'null', 'application/json'],
        ['string', '"text"', 'application/json'],
        ['deep nesting', DEEP_JSON, 'application/json'],
        ['huge', JSON.stringify({ a: HUGE }), 'application/json'],
        ['nul escape', '{"a":"\\u0000"}', 'application/json'],
        ['text/plain', 'hello', 'text/plain'],
        ['xml', '<a/>', 'application/xml'],
        ['form', 'a=b', 'application/x-www-form-urlencoded'],
        ['multipart without boundary', 'x', 'multipart/form-data'],
        ['empty', '', 'application/json'],
      ] as const) {
        await call(`${op.method} ${op.path} [${label}]`, { method: op.method, url, payload, headers: { 'content-type': type } });
      }
      // Each known field with values of the wrong type.
      for (const property of op.bodyProperties) {
        for (const value of BAD_VALUES) {
          await call(`${op.method} ${op.path} [${property}=${JSON.stringify(value)?.slice(0, 20)}]`, { method: op.method, url, payload: JSON.stringify({ [property]: value }), headers: { 'content-type': 'application/json' } });
        }
      }
    }
    expect(fiveHundreds).toEqual([]);
    expect(requests).toBeGreaterThan(1000);
  }, 240_000);

  it('answers bad input on every provider webhook route with 4xx, never 5xx', async () => {
    const accounts = await t.ctx.db.selectFrom('provider_accounts').select(['id', 'type']).execute();
    const bodies: Array<[string, string, string]> = [
      ['invalid json', '{"data":', 'application/json'],
      ['deep nesting', DEEP_JSON, 'application/json'],
      ['wrong types', JSON.stringify({ data: { event_type: 'message.received', payload: { id: 5, from: { phone_number: 123 }, to: [null], text: 123 } }, type: 7, message: [], to: {}, from: null }), 'application/json'],
      ['array of junk', JSON.stringify([{ type: 'message-received', message: null }, 5, 'x']), 'application/json'],
      ['nul form', 'From=%2B1555%00&To=%2B15005550006&Body=a%00b&MessageSid=SM1', 'application/x-www-form-urlencoded'],
      ['huge form', `Body=${HUGE}`, 'application/x-www-form-urlencoded'],
      ['xml', '<Message/>', 'application/xml'],
      ['binary', '\u0000\u0001\u0002', 'application/octet-stream'],
      ['multipart', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--', 'multipart/form-data; boundary=x'],
      ['empty', '', 'application/json'],
    ];
    const targets = [...PROVIDERS.keys()].flatMap((type) => {
      const own = accounts.filter((a) => a.type === type).map((a) => `/webhook/${type}/sms/${a.id}`);
      return [`/webhook/${type}/sms`, `/webhook/${type}/sms/pa_doesnotexist`, ...own];
    });
    targets.push('/webhook/%00/sms', '/webhook/' + 'a'.repeat(3000) + '/sms', '/webhook/twilio/sms/%00');
    for (const target of targets) {
      for (const [label, payload, type] of bodies) {
        const response = await t.app.inject({ method: 'POST', url: `${target}?token=wrong&sig=%00`, payload, headers: { 'content-type': type } });
        record(`POST ${target} [${label}]`, response.statusCode, response.body);
      }
      const get = await t.app.inject({ method: 'GET', url: `${target}?to=%00&from=${'9'.repeat(500)}&message=${encodeURIComponent('{{x}}')}&id=` });
      record(`GET ${target}`, get.statusCode, get.body);
    }
    expect(fiveHundreds).toEqual([]);
  }, 240_000);

  it('is healthy afterwards', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const send = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: '+15005550006', to: '+15551234567', body: 'still working' } });
    expect(send.statusCode).toBe(202);
  });
});
