import { describe, expect, it } from 'vitest';
import { WebhookAuthError } from '../core/errors.js';
import type { WebhookRequest } from '../core/types.js';
import { parseHttpConfig } from './http.config.js';
import { mapWebhook } from './http.mapping.js';
import { asText, lookupField, lookupJson, parsePath, PathError } from './http.path.js';
import { buildRequest, interpretResponse } from './http.request.js';
import { hmacSignature, verifyHttpWebhook } from './http.signature.js';
import { checkTemplate, renderJson, renderText, TemplateError, type TemplateScope } from './http.template.js';

const scope: TemplateScope = { from: '+15005550006', to: '+34 612 345 678', body: 'Hi & "bye"', media_urls: ['https://m.example/a.png', 'https://m.example/b.png'], message_id: 'msg_1', status_callback_url: 'https://sb.example/webhook/http/sms/pa_1?token=t', username: 'u', password: 'p', token: 't' };

describe('http templates', () => {
  it('formats numbers with e164, digits and national', async () => {
    expect(await renderText('{{ to | e164 }}|{{ to | digits }}|{{ to | national }}|{{ from | national }}', scope)).toBe('+34612345678|34612345678|612345678|5005550006');
    expect(await renderText('{{ "34612345678" | e164 }}|{{ "AcmeClinic" | e164 }}', scope)).toBe('+34612345678|AcmeClinic');
  });

  it('percent-encodes outputs in URL templates, and not elsewhere', async () => {
    expect(await renderText('https://api.example/send?to={{ to | e164 }}&text={{ body }}', scope, { url: true })).toBe('https://api.example/send?to=%2B34612345678&text=Hi%20%26%20%22bye%22');
    expect(await renderText('{{ body }}', scope)).toBe('Hi & "bye"');
  });

  it('keeps the type of a leaf that is one output, and renders mixed text as text', async () => {
    expect(await renderJson({ media: '{{ media_urls }}', first: '{{ media_urls | first }}', text: 'Text: {{ body }}', n: 3, nested: [{ id: '{{ message_id }}' }] }, scope)).toEqual({
      media: scope.media_urls, first: 'https://m.example/a.png', text: 'Text: Hi & "bye"', n: 3, nested: [{ id: 'msg_1' }],
    });
  });

  it('refuses unknown variables, unknown filters, bad syntax and file access by name', () => {
    expect(() => checkTemplate('{{ bdy }}')).toThrow(/unknown variable "bdy"/);
    expect(() => checkTemplate('{{ to | shout }}')).toThrow(TemplateError);
    expect(() => checkTemplate('{% if to %}')).toThrow(/template error/);
    expect(() => checkTemplate('{% include "/etc/passwd" %}')).toThrow(TemplateError);
    expect(() => checkTemplate('{% render "x" %}')).toThrow(TemplateError);
    expect(() => checkTemplate('{% assign n = body %}{{ n }}')).not.toThrow();
  });

  it('bounds template size, output size and render time', async () => {
    expect(() => checkTemplate('x'.repeat(5000))).toThrow(/limit is 4000/);
    await expect(renderText('{% for i in (1..3000) %}{{ body }}{{ body }}{% endfor %}', scope)).rejects.toThrow(TemplateError);
    const started = Date.now();
    await expect(renderText('{% for a in (1..100000) %}{% for b in (1..100000) %}{% endfor %}{% endfor %}', scope)).rejects.toThrow(TemplateError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('http paths', () => {
  const doc = { data: { id: 42, ok: true }, messages: [{ id: 'a' }, { id: 'b' }], media: [{ url: 'u1' }, { url: 'u2' }], 'odd key': 'x' };
  it('reads dotted, indexed, quoted and wildcard paths', () => {
    expect(lookupJson(doc, 'data.id')).toBe(42);
    expect(lookupJson(doc, '$.data.ok')).toBe(true);
    expect(lookupJson(doc, 'messages[1].id')).toBe('b');
    expect(lookupJson(doc, 'media[*].url')).toEqual(['u1', 'u2']);
    expect(lookupJson(doc, '["odd key"]')).toBe('x');
    expect(lookupJson(doc, 'data.missing.deeper')).toBeUndefined();
    expect(lookupJson(doc, 'constructor')).toBeUndefined();
    expect(lookupJson({ MediaUrl0: 'm0', MediaUrl1: 'm1', other: 'x' }, 'MediaUrl*')).toEqual(['m0', 'm1']);
    expect(asText(lookupJson(doc, 'data.id'))).toBe('42');
  });
  it('refuses malformed paths', () => {
    for (const bad of ['', 'a..b', 'a[', 'a[-1]', '.a', 'a b', 'x'.repeat(201)]) expect(() => parsePath(bad), bad).toThrow(PathError);
  });
  it('reads form fields by name and by prefix', () => {
    const fields = new Map([['From', ['+1555']], ['MediaUrl0', ['m0']], ['MediaUrl1', ['m1']], ['tag', ['a', 'b']]]);
    expect(lookupField(fields, 'From')).toEqual(['+1555']);
    expect(lookupField(fields, 'MediaUrl*')).toEqual(['m0', 'm1']);
    expect(lookupField(fields, 'tag')).toEqual(['a', 'b']);
    expect(lookupField(fields, 'nope')).toBeUndefined();
  });
});

const config = parseHttpConfig(
  JSON.stringify({
    request: { method: 'GET', url: 'https://api.example/send?user={{ username }}&to={{ to | digits }}&text={{ body }}', auth: { type: 'query', name: 'key' } },
    response: { successStatuses: [200], successPath: 'result', successValue: 'OK', messageIdPath: 'id', errorCodePath: 'code', retryValues: ['BUSY'] },
    inbound: { from: 'from', to: 'to', body: 'text', mediaUrls: 'MediaUrl*' },
    receipt: { idPath: 'id', statusPath: 'stat', statuses: { DELIVRD: 'delivered', UNDELIV: 'undelivered' }, errorCodePath: 'err' },
    webhookAuth: { type: 'hmac', encoding: 'base64', prefix: 'sha256=', header: 'X-Sig' },
  }),
);
const message = { id: 'msg_9', from: '+15005550006', to: ['+34612345678'], body: 'Hola mundo', mediaUrls: [], statusCallbackUrl: 'https://sb.example/cb' };
const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers), text: JSON.stringify(json), json });

describe('http requests and answers', () => {
  it('builds a GET with the API key in the query and no body', async () => {
    const request = await buildRequest(config, { username: 'me', token: 'k&y' }, null, message);
    expect(request).toEqual({ method: 'GET', url: 'https://api.example/send?user=me&to=34612345678&text=Hola+mundo&key=k%26y', headers: { accept: 'application/json' }, body: undefined });
  });

  it('sorts answers into success, retry-later and permanent failure', () => {
    expect(interpretResponse('http', config, answer(200, { result: 'OK', id: 77 }), message)).toMatchObject({ providerMessageId: '77' });
    expect(() => interpretResponse('http', config, answer(200, { result: 'ERR', code: 'BUSY' }), message)).toThrow(expect.objectContaining({ kind: 'unavailable', retryable: true, code: 'BUSY' }));
    expect(() => interpretResponse('http', config, answer(200, { result: 'ERR', code: 'NUMBER' }), message)).toThrow(expect.objectContaining({ kind: 'rejected', retryable: false, code: 'NUMBER' }));
    expect(() => interpretResponse('http', config, answer(201, { result: 'OK', id: 1 }), message)).toThrow(expect.objectContaining({ kind: 'rejected' }));
    expect(() => interpretResponse('http', config, answer(403, {}), message)).toThrow(expect.objectContaining({ kind: 'auth_failed' }));
    expect(() => interpretResponse('http', config, answer(429, {}, { 'retry-after': '30' }), message)).toThrow(expect.objectContaining({ kind: 'rate_limited', details: expect.objectContaining({ retryAfterMs: 30_000 }) }));
    // A Retry-After beyond an hour is an outage, not a throttle: not retried.
    expect(() => interpretResponse('http', config, answer(503, {}, { 'retry-after': '86400' }), message)).toThrow(expect.objectContaining({ kind: 'rejected', retryable: false }));
    // Accepted without the id where the config says it is: never sent again.
    expect(() => interpretResponse('http', config, answer(200, { result: 'OK' }), message)).toThrow(expect.objectContaining({ kind: 'outcome_unknown' }));
  });
});

describe('http webhooks', () => {
  const body = 'from=%2B34612345678&to=15005550006&text=Hola&MediaUrl0=https%3A%2F%2Fm.example%2F1.jpg';
  const request = (headers: Record<string, string>, raw = body, token = 'tok'): WebhookRequest => ({ method: 'POST', url: `https://sb.example/webhook/http/sms/pa_1?token=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, rawBody: Buffer.from(raw), query: { token } });
  const secrets = { expectedToken: 'tok', webhookSecret: 's3cret' };
  const signature = hmacSignature('s3cret', body, 'base64', 'sha256=');

  it('accepts the URL token plus an HMAC of the raw body, and refuses anything less', () => {
    expect(() => verifyHttpWebhook(config, secrets, request({ 'x-sig': signature }))).not.toThrow();
    expect(() => verifyHttpWebhook(config, secrets, request({ 'x-sig': signature }, body + '&x=1'))).toThrow(WebhookAuthError);
    expect(() => verifyHttpWebhook(config, secrets, request({}))).toThrow(expect.objectContaining({ reason: 'missing_signature' }));
    expect(() => verifyHttpWebhook(config, secrets, request({ 'x-sig': signature }, body, 'wrong'))).toThrow(expect.objectContaining({ reason: 'bad_signature' }));
    expect(() => verifyHttpWebhook(config, { ...secrets, webhookSecret: 'other' }, request({ 'x-sig': signature }))).toThrow(expect.objectContaining({ reason: 'bad_signature' }));
  });

  it('maps a form inbound message with media, and a GET receipt', () => {
    expect(mapWebhook(config, request({})).inbound[0]).toMatchObject({ from: '+34612345678', to: ['+15005550006'], body: 'Hola', media: [{ url: 'https://m.example/1.jpg' }], providerMessageId: expect.stringMatching(/^sha256:/) });
    const get: WebhookRequest = { method: 'GET', url: 'https://sb.example/x', headers: {}, rawBody: Buffer.alloc(0), query: { token: 'tok', id: 'C1', stat: 'UNDELIV', err: '034' } };
    expect(mapWebhook(config, get).statuses).toEqual([{ providerMessageId: 'C1', status: 'undelivered', providerStatus: 'UNDELIV', errorCode: '034', errorMessage: 'carrier error 034 (UNDELIV)' }]);
  });

  it('refuses nonsense with a message naming the field', () => {
    expect(() => mapWebhook(config, request({}, 'to=1&text=x'))).toThrow('inbound.from: "from" found nothing in the payload');
    expect(() => mapWebhook(config, { ...request({}), query: { token: 'tok' }, method: 'GET' })).toThrow(/inbound\.from/);
    expect(() => mapWebhook(config, request({}, 'id=1&stat=WHATEVER'))).toThrow(/the carrier's status "WHATEVER" is not in the table/);
    expect(() => mapWebhook(config, request({ 'content-type': 'application/json' }, '{"from": '))).toThrow(/not a JSON object/);
    expect(() => mapWebhook(config, request({}, 'from=1\u0000'))).toThrow(/NUL/);
    expect(() => mapWebhook(config, request({}, ''))).toThrow(/empty/);
  });
});
