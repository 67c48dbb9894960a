import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../../../test/helper.js';
import { basicAuth } from '../core/http.js';
import { describeProviderContract } from '../testing/contract.js';
import { CARRIER_SIGNATURE_HEADER, startHttpCarrierEmulator } from './http.emulator.js';
import { hmacSignature } from './http.signature.js';

const TOKEN = 'carrier-api-token-0123456789';
const WEBHOOK_SECRET = 'carrier-webhook-secret-abcdef';
const USER = 'acme-sms';
const PASSWORD = 'pa55-w0rd!';

/** The local test carrier's API as an admin would describe it from its documentation. */
export const carrierConfig = (variant: 'json' | 'form') => ({
  request: {
    method: 'POST',
    url: '/api/v1/sms',
    auth: { type: variant === 'json' ? 'bearer' : 'basic' },
    bodyFormat: variant,
    body: { sender: '{{ from }}', recipient: '{{ to | digits }}', text: '{{ body }}', media: '{{ media_urls }}', reference: '{{ message_id }}', callback_url: '{{ status_callback_url }}' },
  },
  response: { successPath: 'status', successValue: 'accepted', messageIdPath: 'data.id', errorCodePath: 'error.code', errorMessagePath: 'error.message', retryValues: ['THROTTLED'] },
  inbound: { from: 'msisdn', to: 'shortcode', body: 'text', mediaUrls: variant === 'json' ? 'media[*].url' : 'media_url', messageId: 'mo_id' },
  receipt: { idPath: 'msg_id', statusPath: 'state', statuses: { ACCEPTD: 'queued', ENROUTE: 'sent', DELIVRD: 'delivered', UNDELIV: 'undelivered', EXPIRED: 'undelivered', REJECTD: 'failed' }, errorCodePath: 'err' },
  ...(variant === 'json' ? { webhookAuth: { type: 'hmac', header: CARRIER_SIGNATURE_HEADER, encoding: 'hex' } } : {}),
});

const statuses = { ACCEPTD: 'queued', ENROUTE: 'sent', DELIVRD: 'delivered', UNDELIV: 'undelivered', EXPIRED: 'undelivered', REJECTD: 'failed' };
const errors = [
  { status: 401, body: { status: 'error', error: { code: 'AUTH_FAILED', message: 'bad credentials' } }, expect: { code: 'AUTH_FAILED' } },
  { status: 400, body: { status: 'error', error: { code: 'INVALID_NUMBER', message: 'no such number' } }, expect: { code: 'INVALID_NUMBER' } },
  { status: 200, body: { status: 'error', error: { code: 'NO_CREDIT', message: 'top up your balance' } }, expect: { code: 'NO_CREDIT' } },
  { status: 200, body: { status: 'error', error: { code: 'THROTTLED', message: 'slow down' } }, expect: 'retry' as const },
  { status: 429, body: { status: 'error', error: { code: 'RATE', message: 'too many' } }, expect: 'retry' as const },
  { status: 503, body: 'maintenance', expect: 'retry' as const },
];

function expectCarrierRequest(variant: 'json' | 'form') {
  return (request: { method: string; url: string; headers: Record<string, unknown>; text: string }, sent: { from: string; to: string; body: string; mediaUrls: string[] }) => {
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/v1/sms');
    if (variant === 'json') {
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request.text)).toEqual({
        sender: sent.from, recipient: sent.to.replace('+', ''), text: sent.body, media: sent.mediaUrls, reference: expect.stringMatching(/^msg_/),
        callback_url: expect.stringMatching(/^http:\/\/switchboard\.test\/webhook\/http\/sms\/pa_[\w-]+\?token=/),
      });
    } else {
      expect(request.headers.authorization).toBe(basicAuth(USER, PASSWORD));
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const form = new URLSearchParams(request.text);
      expect(form.get('sender')).toBe(sent.from);
      expect(form.get('recipient')).toBe(sent.to.replace('+', ''));
      expect(form.get('text')).toBe(sent.body);
      expect(form.getAll('media')).toEqual(sent.mediaUrls);
      expect(form.get('reference')).toMatch(/^msg_/);
    }
  };
}

describeProviderContract({
  type: 'http',
  credentials: { config: JSON.stringify(carrierConfig('json')), token: TOKEN, webhookSecret: WEBHOOK_SECRET },
  // The URL token is always required; the HMAC header is checked on top of it.
  authScheme: 'signature',
  startEmulator: (deliver) => startHttpCarrierEmulator({ authorization: `Bearer ${TOKEN}`, webhookSecret: WEBHOOK_SECRET, webhookFormat: 'json', deliver }),
  expectSendRequest: expectCarrierRequest('json'),
  errors,
  statuses,
});

describeProviderContract({
  type: 'http',
  credentials: { config: JSON.stringify(carrierConfig('form')), username: USER, password: PASSWORD },
  authScheme: 'url-token',
  startEmulator: (deliver) => startHttpCarrierEmulator({ authorization: basicAuth(USER, PASSWORD), webhookFormat: 'form', deliver }),
  expectSendRequest: expectCarrierRequest('form'),
  statuses,
});

describe('http provider accounts and Try it', () => {
  let harness: TestApp;
  let tenant: Tenant;
  const create = (credentials: Record<string, string>, type = 'http') =>
    harness.app.inject({ method: 'POST', url: '/api/v1/provider-accounts', headers: tenant.auth, payload: { type, name: 'Carrier', credentials } });
  const withConfig = (patch: (config: any) => void) => {
    const config = carrierConfig('json') as any;
    patch(config);
    return { config: JSON.stringify(config), token: TOKEN, webhookSecret: WEBHOOK_SECRET };
  };

  beforeAll(async () => {
    harness = await createTestApp({ workers: true });
    tenant = await createTestTenant(harness.ctx);
  });
  afterAll(async () => harness?.close());

  it('refuses a bad configuration with a 400 naming the field', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ config: '{not json' }, /credentials\.config is not JSON/],
      [withConfig((c) => (c.request.body.text = '{{ bodyy }}')), /credentials\.config\.request\.body\.text: unknown variable "bodyy"/],
      [withConfig((c) => (c.request.url = '/sms?to={{ to | nope }}')), /credentials\.config\.request\.url: template error: .*nope/],
      [withConfig((c) => (c.request.body.text = '{% include "secrets.txt" %}')), /credentials\.config\.request\.body\.text/],
      [withConfig((c) => (c.response.messageIdPath = 'data..id')), /credentials\.config\.response\.messageIdPath: "data\.\.id" is not a path/],
      [withConfig((c) => (c.request.method = 'DELETE')), /credentials\.config\.request\.method/],
      [withConfig((c) => (c.request.auth = { type: 'header' })), /credentials\.config\.request\.auth\.name: is required/],
      [withConfig((c) => (c.receipt.statuses = { DELIVRD: 'done' })), /credentials\.config\.receipt\.statuses\.DELIVRD/],
      [{ config: JSON.stringify(carrierConfig('json')) }, /credentials\.token is required with auth type "bearer"/],
      [{ config: JSON.stringify(carrierConfig('json')), token: TOKEN }, /credentials\.webhookSecret is required/],
    ];
    for (const [credentials, message] of cases) {
      const response = await create(credentials);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error.message).toMatch(message);
    }
    const patchTarget = await create({ config: JSON.stringify(carrierConfig('form')), username: USER, password: PASSWORD });
    expect(patchTarget.statusCode, patchTarget.body).toBe(201);
    const patched = await harness.app.inject({ method: 'PATCH', url: `/api/v1/provider-accounts/${patchTarget.json().id}`, headers: tenant.auth, payload: { credentials: { config: '{"request": {"method": "POST"}}' } } });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.message).toMatch(/credentials\.config\.request\.url/);
  });

  it('previews the exact request with secrets masked, and maps a pasted webhook', async () => {
    const response = await harness.app.inject({
      method: 'POST', url: '/api/v1/provider-types/http/preview', headers: tenant.auth,
      payload: {
        credentials: { config: JSON.stringify(carrierConfig('json')), token: TOKEN, webhookSecret: WEBHOOK_SECRET },
        baseUrl: 'https://api.carrier.example',
        sample: { from: '+15005550006', to: '+34612345678', body: 'Hola "amigo" & co' },
        inbound: { method: 'POST', contentType: 'application/json', body: JSON.stringify({ mo_id: 'MO-1', msisdn: '34612345678', shortcode: '15005550006', text: 'Reply' }) },
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const preview = response.json();
    expect(preview.request).toEqual({
      ok: true,
      request: {
        method: 'POST', url: 'https://api.carrier.example/api/v1/sms',
        headers: { authorization: 'Bearer «token»', 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ sender: '+15005550006', recipient: '34612345678', text: 'Hola "amigo" & co', media: [], reference: 'msg_preview', callback_url: 'http://switchboard.test/webhook/http/sms/{account id}?token={token}' }),
      },
    });
    expect(response.body).not.toContain(TOKEN);
    expect(preview.inbound).toMatchObject({ ok: true, kind: 'inbound', result: { inbound: [{ providerMessageId: 'MO-1', from: '+34612345678', to: ['+15005550006'], body: 'Reply' }] } });

    const missing = await harness.app.inject({
      method: 'POST', url: '/api/v1/provider-types/http/preview', headers: tenant.auth,
      payload: { credentials: { config: JSON.stringify(carrierConfig('form')), username: USER, password: PASSWORD }, inbound: { method: 'POST', contentType: 'application/x-www-form-urlencoded', body: 'mo_id=1&msisdn=34612345678&text=hi' } },
    });
    expect(missing.json().inbound).toEqual({ ok: false, error: { field: 'inbound.to', message: 'inbound.to: "shortcode" found nothing in the payload' } });
    expect(missing.json().request.ok).toBe(false);
    expect(missing.json().request.error.message).toMatch(/request\.url "\/api\/v1\/sms" is a path; set the account's base URL/);
    expect(missing.body).not.toContain(PASSWORD);

    const receipt = await harness.app.inject({
      method: 'POST', url: '/api/v1/provider-types/http/preview', headers: tenant.auth,
      payload: { credentials: { config: JSON.stringify(carrierConfig('form')), username: USER, password: PASSWORD }, baseUrl: 'https://x.example', inbound: { method: 'GET', query: { msg_id: 'CR-1', state: 'delivrd', err: '000' } } },
    });
    expect(receipt.json().inbound).toMatchObject({ ok: true, kind: 'receipt', result: { statuses: [{ providerMessageId: 'CR-1', status: 'delivered', providerStatus: 'delivrd' }] } });
    expect(receipt.json().request.request.headers.authorization).toBe('Basic «base64 username:password»');

    const badConfig = await harness.app.inject({ method: 'POST', url: '/api/v1/provider-types/http/preview', headers: tenant.auth, payload: { credentials: { config: '{"request":{"method":"POST","url":"{{ nope }}"}}' } } });
    expect(badConfig.json()).toMatchObject({ ok: false, error: { field: 'request.url', message: expect.stringContaining('unknown variable "nope"') } });
    const notHttp = await harness.app.inject({ method: 'POST', url: '/api/v1/provider-types/twilio/preview', headers: tenant.auth, payload: {} });
    expect(notHttp.statusCode).toBe(400);
  });

  it('answers validly signed nonsense with 4xx and stores nothing, never 5xx', async () => {
    const { webhookUrl } = await createAccountAndNumber(harness.app, tenant, { type: 'http', credentials: { config: JSON.stringify(carrierConfig('json')), token: TOKEN, webhookSecret: WEBHOOK_SECRET }, baseUrl: 'https://api.carrier.example', number: '+15005550077', mps: 0 });
    const url = new URL(webhookUrl);
    const post = (body: string) =>
      harness.app.inject({ method: 'POST', url: url.pathname + url.search, headers: { 'content-type': 'application/json', [CARRIER_SIGNATURE_HEADER]: hmacSignature(WEBHOOK_SECRET, body) }, payload: body });
    const count = async () => Number((await harness.ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const mo = (fields: Record<string, unknown>) => JSON.stringify({ event: 'mo', mo_id: 'MO-nonsense', msisdn: '15551234567', shortcode: '15005550077', text: 'hi', ...fields });
    const cases: Array<[string, string, RegExp]> = [
      ['from is an object', mo({ msisdn: { a: 1 } }), /inbound\.from/],
      ['text with NUL', mo({ text: 'a\u0000b' }), /NUL/],
      ['text too long', mo({ text: 'x'.repeat(25_000) }), /inbound\.body/],
      ['id too long', mo({ mo_id: 'i'.repeat(300) }), /inbound\.messageId/],
      ['only a script URL as media', mo({ text: null, media: [{ url: 'javascript:alert(1)' }] }), /inbound\.body/],
      ['an array', '[1, 2, 3]', /inbound\.from/],
      ['a string', '"hello"', /not a JSON object/],
      ['unknown status word', JSON.stringify({ msg_id: 'CR-1', state: 'EXPLODED' }), /EXPLODED/],
      ['not our number', mo({ shortcode: '15009999999' }), /not a number of/],
    ];
    for (const [name, body, message] of cases) {
      const response = await post(body);
      expect(response.statusCode, `${name}: ${response.body}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, name).toBeLessThan(500);
      expect(response.json().error.message, name).toMatch(message);
    }
    // A receipt for a message we never sent is acknowledged and changes nothing.
    const stray = await post(JSON.stringify({ msg_id: 'CR-never-sent', state: 'DELIVRD', err: '000' }));
    expect(stray.statusCode).toBeLessThan(500);
    expect(await count()).toBe(before);
  });

  it('loads an account from HTTP_PROVIDER_* variables and names the variable when its config is bad', async () => {
    const good = { HTTP_PROVIDER_CONFIG: JSON.stringify(carrierConfig('form')), HTTP_PROVIDER_USERNAME: USER, HTTP_PROVIDER_PASSWORD: PASSWORD, HTTP_PROVIDER_BASE_URL: 'https://api.carrier.example', HTTP_USERNAME: 'belongs-to-another-tool' };
    expect(await harness.ctx.accounts.syncFromEnvironment(tenant.tenantId, good)).toContain('http');
    const account = await harness.ctx.accounts.get(tenant.tenantId, 'env_http');
    expect(account).toMatchObject({ source: 'env', base_url: 'https://api.carrier.example' });
    expect(harness.ctx.accounts.webhookUrl(account)).toMatch(/^http:\/\/switchboard\.test\/webhook\/http\/sms\?token=/);
    const bad = { ...good, HTTP_PROVIDER_CONFIG: JSON.stringify({ ...carrierConfig('form'), inbound: { from: 'a..b', to: 'to', body: 'text' } }) };
    await expect(harness.ctx.accounts.syncFromEnvironment(tenant.tenantId, bad)).rejects.toThrow(/^HTTP_PROVIDER_CONFIG\.inbound\.from: "a\.\.b" is not a path/);
  });

  it('lists Aire Networks as a named preset and sends through it with Basic auth and its Sender ID', async () => {
    const types = (await harness.app.inject({ method: 'GET', url: '/api/v1/provider-types', headers: tenant.auth })).json().items;
    const aire = types.find((t: { type: string }) => t.type === 'airenetworks');
    expect(aire).toMatchObject({ displayName: 'Aire Networks', logoText: 'AIRE' });
    expect(aire.credentials.map((f: { label: string; env: string }) => f.env)).toEqual(expect.arrayContaining(['AIRENETWORKS_USERNAME', 'AIRENETWORKS_PASSWORD', 'AIRENETWORKS_SENDER_ID']));
    expect(types.find((t: { type: string }) => t.type === 'http')).toMatchObject({ displayName: 'Generic HTTP', logoText: 'HTTP' });

    const received: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: 'OK', sms: { id: 'AIRE-77' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms/send.php`;
      const bad = await create({ url, username: 'u', password: 'p', senderId: 'Way Too Long Sender' }, 'airenetworks');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toMatch(/credentials\.senderId/);
      const { accountId } = await createAccountAndNumber(harness.app, tenant, { type: 'airenetworks', credentials: { url, username: 'aire-user', password: 'aire-pass', senderId: 'AcmeClinic', numberFormat: 'digits', messageIdPath: 'sms.id' }, number: '+34910000001', mps: 0 });
      const sent = await harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: '+34910000001', to: '+34612345678', body: 'Cita mañana 10:00' } });
      expect(sent.statusCode, sent.body).toBe(202);
      const message = await eventually(async () => {
        const m = (await harness.app.inject({ method: 'GET', url: `/api/v1/messages/${sent.json().id}`, headers: tenant.auth })).json();
        return m.status === 'sent' && m;
      });
      expect(message.providerMessageId).toBe('AIRE-77');
      expect(received).toHaveLength(1);
      expect(received[0]!.url).toBe('/sms/send.php');
      expect(received[0]!.headers.authorization).toBe(basicAuth('aire-user', 'aire-pass'));
      expect(Object.fromEntries(new URLSearchParams(received[0]!.body))).toEqual({ from: 'AcmeClinic', to: '34612345678', text: 'Cita mañana 10:00' });
      const preview = await harness.app.inject({ method: 'POST', url: '/api/v1/provider-types/airenetworks/preview', headers: tenant.auth, payload: { accountId, sample: { to: '+34612345678', body: 'Hola' } } });
      expect(preview.json().request.request).toMatchObject({ url, headers: { authorization: 'Basic «base64 username:password»' }, body: 'from=AcmeClinic&to=34612345678&text=Hola' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
