/** Real API responses match the shared shapes (src/lib/api-shapes.ts) the dashboard's types derive from. */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyShape,
  ContactShape,
  ConversationShape,
  MeShape,
  MessageShape,
  PageShape,
  PhoneNumberShape,
  ProviderAccountShape,
  WebhookLogEntryShape,
  apiShapes,
} from '../../src/lib/api-shapes.js';
import { TINY_PNG } from '../../src/providers/testing/emulator.js';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, eventually, type Tenant, type TestApp } from '../helper.js';

const OURS = '+15550002222';
const THEIRS = '+15557650000';

/** The shape's mismatches as "path: message" lines, so a failure says which field drifted. */
const drift = (schema: TSchema, value: unknown) => [...Value.Errors(schema, value)].map((error) => `${error.path}: ${error.message}`);

describe('API responses match the shared shapes', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let webhookUrl: string;

  beforeAll(async () => {
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    ({ webhookUrl } = await createAccountAndNumber(harness.app, tenant, { type: 'sandbox', number: OURS, credentials: { deliveryDelayMs: '10' } }));
    await createTestUser(harness.ctx, tenant.tenantId, { email: 'shapes@example.com', role: 'admin', password: 'shapes-password-1' });
  });
  afterAll(() => harness.close());

  const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: tenant.auth, payload: payload as object });

  it('closes the shapes: an undocumented field or a wrong type is drift', () => {
    const label = { id: 'l1', name: 'VIP', color: '#ff0000' };
    expect(drift(apiShapes.Label, label)).toEqual([]);
    expect(drift(apiShapes.Label, { ...label, extra: 1 })).not.toEqual([]);
    expect(drift(apiShapes.Label, { ...label, color: null })).not.toEqual([]);
  });

  it('a sent message (with media, sender and history) and an inbound one with media', async () => {
    const boundary = '----shapes';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="dot.png"\r\nContent-Type: image/png\r\n\r\n`),
      TINY_PNG,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const upload = await harness.app.inject({ method: 'POST', url: '/api/v1/media', headers: { ...tenant.auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(upload.statusCode, upload.body).toBe(201);
    const sent = await api('POST', '/messages', { from: OURS, to: THEIRS, body: 'see attached', media: [{ id: upload.json().id }] });
    expect(sent.statusCode, sent.body).toBe(202);
    const delivered = await eventually(async () => {
      const m = (await api('GET', `/messages/${sent.json().id}`)).json();
      return m.status === 'delivered' && m;
    });
    expect(delivered.media).toHaveLength(1);
    expect(delivered.history.length).toBeGreaterThan(1);
    expect(delivered.sender).toMatchObject({ kind: 'api_key' });
    expect(drift(MessageShape, delivered)).toEqual([]);

    const inbound = await api('POST', '/sandbox/inbound', { from: THEIRS, to: OURS, body: 'a photo back', media: [{ id: upload.json().id }] });
    expect(inbound.statusCode, inbound.body).toBe(202);
    const thread = (await api('GET', `/conversations/${inbound.json().conversationId}/messages`)).json();
    const received = thread.items.find((m: { direction: string }) => m.direction === 'inbound');
    expect(received.media).toHaveLength(1);
    expect(drift(PageShape(MessageShape), thread)).toEqual([]);
  });

  it('a conversation list page and one conversation with its opt-out state', async () => {
    const list = await api('GET', '/conversations');
    expect(list.json().items.length).toBeGreaterThan(0);
    expect(drift(PageShape(ConversationShape), list.json())).toEqual([]);
    const one = await api('GET', `/conversations/${list.json().items[0].id}`);
    expect(one.json()).toHaveProperty('optOut');
    expect(drift(ConversationShape, one.json())).toEqual([]);
  });

  it('/me for a signed-in user and for an API key', async () => {
    const login = await harness.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'shapes@example.com', password: 'shapes-password-1' } });
    expect(login.statusCode).toBe(200);
    const cookie = (login.headers['set-cookie'] as string).split(';')[0]!;
    const me = await harness.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    expect(me.json().user).toMatchObject({ email: 'shapes@example.com' });
    expect(drift(MeShape, me.json())).toEqual([]);
    const keyMe = await api('GET', '/me');
    expect(keyMe.json().user).toBeNull();
    expect(drift(MeShape, keyMe.json())).toEqual([]);
  });

  it('numbers, provider accounts, contacts and API keys', async () => {
    const numbers = await api('GET', '/numbers');
    expect(numbers.json().items).toHaveLength(1);
    expect(drift(PageShape(PhoneNumberShape), numbers.json())).toEqual([]);

    const accounts = await api('GET', '/provider-accounts');
    expect(accounts.json().items.length).toBeGreaterThan(0);
    expect(drift(PageShape(ProviderAccountShape), accounts.json())).toEqual([]);

    const created = await api('POST', '/contacts', { name: 'Dana Shape', phones: [THEIRS], fields: { tier: 'gold', visits: 3 }, tags: ['vip'] });
    expect(created.statusCode, created.body).toBe(201);
    expect(drift(ContactShape, created.json())).toEqual([]);
    const contacts = await api('GET', '/contacts');
    expect(contacts.json().items.length).toBeGreaterThan(0);
    expect(drift(PageShape(ContactShape), contacts.json())).toEqual([]);

    const keys = await api('GET', '/api-keys');
    expect(keys.json().items.length).toBeGreaterThan(0);
    expect(drift(PageShape(ApiKeyShape), keys.json())).toEqual([]);
  });

  it('the webhook log', async () => {
    const url = new URL(webhookUrl);
    await harness.app.inject({ method: 'POST', url: url.pathname, payload: { not: 'a sandbox payload' } });
    const log = await api('GET', '/webhook-log');
    expect(log.json().items.length).toBeGreaterThan(0);
    expect(drift(PageShape(WebhookLogEntryShape), log.json())).toEqual([]);
  });

  it('publishes the shapes as OpenAPI components', async () => {
    await harness.app.ready();
    const document = harness.app.swagger() as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    for (const name of ['Message', 'Conversation', 'Label', 'User', 'Me', 'PhoneNumber', 'ProviderAccount', 'Contact', 'ApiKey', 'WebhookLogEntry']) {
      expect(document.components.schemas, name).toHaveProperty(name);
    }
    expect(Object.keys(document.components.schemas.Message!.properties!)).toContain('retry');
  });
});
