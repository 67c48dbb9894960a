import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountAndNumber, createTestApp, createTestTenant, type Tenant, type TestApp } from '../helper.js';

describe('API input validation', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let other: Tenant;

  beforeAll(async () => {
    harness = await createTestApp({ env: { BODY_LIMIT_BYTES: '65536' } });
    tenant = await createTestTenant(harness.ctx, 'Acme');
    other = await createTestTenant(harness.ctx, 'Globex');
    await createAccountAndNumber(harness.app, tenant, { type: 'sandbox', number: '+15550001111' });
    await createAccountAndNumber(harness.app, other, { type: 'sandbox', number: '+15550002222' });
  });
  afterAll(() => harness.close());

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    harness.app.inject({ method: 'POST', url: '/api/v1/messages', headers: { ...tenant.auth, 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

  it.each([
    ['malformed JSON', '{"from": "+1555', 400, 'invalid_json', /JSON/i],
    ['an unknown field', { from: '+15550001111', to: '+15551234567', body: 'x', colour: 'red' }, 400, 'validation_error', /unknown field "colour"/],
    ['a wrong type', { from: '+15550001111', to: 15551234567, body: 'x' }, 400, 'validation_error', /body\.to/],
    ['a missing field', { to: '+15551234567', body: 'x' }, 400, 'validation_error', /from is required/],
    ['no body and no media', { from: '+15550001111', to: '+15551234567' }, 400, 'validation_error', /body or media/],
    ['a number that is not one', { from: '+15550001111', to: 'not-a-number', body: 'x' }, 400, 'invalid_number', /to "not-a-number"/],
    ['a number of another tenant', { from: '+15550002222', to: '+15551234567', body: 'x' }, 403, 'from_not_owned', /not a number of this tenant/],
    ['a body over the provider limit', { from: '+15550001111', to: '+15551234567', body: 'x'.repeat(1601) }, 400, 'body_too_long', /1600/],
    ['a bad sendAt', { from: '+15550001111', to: '+15551234567', body: 'x', sendAt: 'tomorrow' }, 400, 'validation_error', /sendAt/],
  ])('refuses %s with a clear 4xx', async (_name, payload, status, code, message) => {
    const response = await post(payload);
    expect(response.statusCode, response.body).toBe(status);
    expect(response.json().error.code).toBe(code);
    expect(response.json().error.message).toMatch(message);
  });

  it('refuses an oversize body with 413', async () => {
    const response = await post({ from: '+15550001111', to: '+15551234567', body: 'x'.repeat(70_000) });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('payload_too_large');
  });

  it('refuses a non-JSON content type with 415', async () => {
    const response = await post('from=x', { 'content-type': 'text/plain' });
    expect(response.statusCode).toBe(415);
  });

  it('refuses requests without credentials, and with a bad key', async () => {
    const none = await harness.app.inject({ method: 'GET', url: '/api/v1/messages' });
    expect(none.statusCode).toBe(401);
    const bad = await harness.app.inject({ method: 'GET', url: '/api/v1/messages', headers: { authorization: 'Bearer sb_nope' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('unauthorized');
  });

  it('keeps tenants apart on reads', async () => {
    const sent = await post({ from: '+15550001111', to: '+15551234567', body: 'tenant secret' });
    expect(sent.statusCode).toBe(202);
    const foreign = await harness.app.inject({ method: 'GET', url: `/api/v1/messages/${sent.json().id}`, headers: other.auth });
    expect(foreign.statusCode).toBe(404);
    const list = await harness.app.inject({ method: 'GET', url: '/api/v1/messages', headers: other.auth });
    expect(list.json().items.map((m: { body: string }) => m.body)).not.toContain('tenant secret');
    const conversation = await harness.app.inject({ method: 'GET', url: `/api/v1/conversations/${sent.json().conversationId}/messages`, headers: other.auth });
    expect(conversation.statusCode).toBe(404);
  });

  it('validates provider account credentials per type, naming the missing field', async () => {
    const response = await harness.app.inject({ method: 'POST', url: '/api/v1/provider-accounts', headers: tenant.auth, payload: { type: 'twilio', name: 'x', credentials: { accountSid: 'AC1' } } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/credentials\.authToken/);
    const unknownType = await harness.app.inject({ method: 'POST', url: '/api/v1/provider-accounts', headers: tenant.auth, payload: { type: 'pigeon', name: 'x', credentials: {} } });
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.json().error.message).toMatch(/pigeon/);
  });

  it('never returns credentials', async () => {
    const created = await harness.app.inject({ method: 'POST', url: '/api/v1/provider-accounts', headers: tenant.auth, payload: { type: 'twilio', name: 'tw', credentials: { accountSid: 'AC1', authToken: 'super-secret-token' } } });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain('super-secret-token');
    const list = await harness.app.inject({ method: 'GET', url: '/api/v1/provider-accounts', headers: tenant.auth });
    expect(list.body).not.toContain('super-secret-token');
    const row = await harness.ctx.db.selectFrom('provider_accounts').select('credentials').where('id', '=', created.json().id).executeTakeFirstOrThrow();
    expect(row.credentials).not.toContain('super-secret-token');
  });

  it('answers unknown routes and bad cursors with 4xx', async () => {
    expect((await harness.app.inject({ method: 'GET', url: '/api/v1/nothing', headers: tenant.auth })).statusCode).toBe(404);
    const cursor = await harness.app.inject({ method: 'GET', url: '/api/v1/messages?cursor=garbage', headers: tenant.auth });
    expect(cursor.statusCode).toBe(400);
    const limit = await harness.app.inject({ method: 'GET', url: '/api/v1/messages?limit=501', headers: tenant.auth });
    expect(limit.statusCode).toBe(400);
  });
});

describe('operations endpoints', () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await createTestApp();
  });
  afterAll(() => harness.close());

  it('serves the OpenAPI document, interactive docs, health, readiness and metrics', async () => {
    const spec = await harness.app.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(['/api/v1/messages', '/api/v1/conversations', '/api/v1/provider-accounts/{id}/test']));
    expect((await harness.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
    expect((await harness.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await harness.app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready' });
    const metrics = await harness.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/switchboard_jobs_pending \d+/);
    expect(metrics.body).toMatch(/process_resident_memory_bytes/);
  });
});
