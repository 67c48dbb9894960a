import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG } from '../../src/providers/testing/emulator.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const OURS = '+15550001111';
const THEIRS = '+15551234567';

describe('messaging through the sandbox carrier', () => {
  let harness: TestApp;
  let tenant: Tenant;

  beforeAll(async () => {
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    await createAccountAndNumber(harness.app, tenant, { type: 'sandbox', number: OURS, credentials: { deliveryDelayMs: '10' } });
  });
  afterAll(() => harness.close());

  const api = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: { ...tenant.auth, ...headers }, payload: payload as object });

  it('accepts a send with 202, computes encoding and segments, and reaches delivered with its history', async () => {
    const response = await api('POST', '/messages', { from: OURS, to: THEIRS, body: 'Zażółć gęślą jaźń' });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ status: 'queued', encoding: 'UCS-2', segments: 1 });
    const message = await eventually(async () => {
      const m = (await api('GET', `/messages/${response.json().id}`)).json();
      return m.status === 'delivered' && m;
    });
    expect(message.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    for (const entry of message.history) expect(Date.parse(entry.at)).not.toBeNaN();
    expect(message).toMatchObject({ direction: 'outbound', from: OURS, to: THEIRS, providerType: 'sandbox', error: null });
    expect(message.deliveredAt).toBeTruthy();
  });

  it('refuses a local number when no default country says how to read it', async () => {
    const response = await api('POST', '/messages', { from: OURS, to: '(415) 555-1212', body: 'hi' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_number');
  });

  it('honours Idempotency-Key: the same key answers the same message and sends once', async () => {
    const first = await api('POST', '/messages', { from: OURS, to: THEIRS, body: 'once only' }, { 'idempotency-key': 'order-42' });
    const second = await api('POST', '/messages', { from: OURS, to: THEIRS, body: 'once only' }, { 'idempotency-key': 'order-42' });
    expect(second.json().id).toBe(first.json().id);
    const rows = await harness.ctx.db.selectFrom('messages').select('id').where('idempotency_key', '=', 'order-42').execute();
    expect(rows).toHaveLength(1);

    // Racing requests with one new key: the index (which holds only keyed messages) lets one in.
    const racing = await Promise.all(Array.from({ length: 6 }, () => api('POST', '/messages', { from: OURS, to: THEIRS, body: 'raced' }, { 'idempotency-key': 'order-43' })));
    expect(racing.map((response) => response.statusCode)).toEqual(Array(6).fill(202));
    expect(new Set(racing.map((response) => response.json().id)).size).toBe(1);
    expect(await harness.ctx.db.selectFrom('messages').select('id').where('idempotency_key', '=', 'order-43').execute()).toHaveLength(1);
  });

  it('ends a message to an unreachable handset as undelivered with the carrier code', async () => {
    const events: Array<{ type: string; data: any }> = [];
    const unsubscribe = harness.ctx.events.subscribe((event) => void events.push(event));
    const response = await api('POST', '/messages', { from: OURS, to: '+15550000666', body: 'anyone there?' });
    const message = await eventually(async () => {
      const m = (await api('GET', `/messages/${response.json().id}`)).json();
      return m.status === 'undelivered' && m;
    });
    expect(message.error).toMatchObject({ code: 'SANDBOX_UNREACHABLE' });
    // The live inbox hears the carrier's code with the status, not only after a reload.
    const undelivered = await eventually(async () => events.find((e) => e.type === 'message.status' && e.data.id === message.id && e.data.status === 'undelivered'));
    unsubscribe();
    expect(undelivered.data.error).toMatchObject({ code: 'SANDBOX_UNREACHABLE' });
  });

  it('injects an inbound message that shows in the conversation list with an unread count', async () => {
    const injected = await api('POST', '/sandbox/inbound', { from: '+15557654321', to: OURS, body: 'Hi, is the shop open?' });
    expect(injected.statusCode).toBe(202);
    const list = (await api('GET', '/conversations')).json();
    const conversation = list.items.find((c: { id: string }) => c.id === injected.json().conversationId);
    expect(conversation).toMatchObject({ ourNumber: OURS, remoteNumbers: ['+15557654321'], unreadCount: 1, lastMessage: { body: 'Hi, is the shop open?', direction: 'inbound' } });
    const read = await api('POST', `/conversations/${conversation.id}/read`, {});
    expect(read.json().unreadCount).toBe(0);
    const thread = (await api('GET', `/conversations/${conversation.id}/messages`)).json();
    expect(thread.items[0]).toMatchObject({ body: 'Hi, is the shop open?', status: 'received' });
    expect(thread.items[0].readAt).toBeTruthy();
  });

  it('uploads media and sends it as MMS from a signed, expiring URL', async () => {
    const boundary = '----switchboard';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="dot.png"\r\nContent-Type: image/png\r\n\r\n`),
      TINY_PNG,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const upload = await harness.app.inject({ method: 'POST', url: '/api/v1/media', headers: { ...tenant.auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(upload.statusCode, upload.body).toBe(201);
    expect(upload.json()).toMatchObject({ contentType: 'image/png', size: TINY_PNG.length });
    const sent = await api('POST', '/messages', { from: OURS, to: THEIRS, body: 'see attached', media: [{ id: upload.json().id }] });
    expect(sent.statusCode).toBe(202);
    const message = (await api('GET', `/messages/${sent.json().id}`)).json();
    const url = new URL(message.media[0].url);
    const fetched = await harness.app.inject({ method: 'GET', url: url.pathname + url.search });
    expect(fetched.statusCode).toBe(200);
    expect(fetched.rawPayload.equals(TINY_PNG)).toBe(true);
    url.searchParams.set('sig', 'forged');
    expect((await harness.app.inject({ method: 'GET', url: url.pathname + url.search })).statusCode).toBe(403);
    url.searchParams.set('expires', '1000');
    expect((await harness.app.inject({ method: 'GET', url: url.pathname + url.search })).statusCode).toBe(403);
  });

  it('refuses uploads of types that are not media', async () => {
    const boundary = '----switchboard';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.exe"\r\nContent-Type: application/x-msdownload\r\n\r\nMZ\r\n--${boundary}--\r\n`;
    const upload = await harness.app.inject({ method: 'POST', url: '/api/v1/media', headers: { ...tenant.auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(upload.statusCode).toBe(415);
  });

  it('lists logs with filters, cursor paging, total and CSV export', async () => {
    for (let i = 0; i < 5; i += 1) await api('POST', '/messages', { from: OURS, to: THEIRS, body: `paging ${i}` });
    const first = (await api('GET', '/messages?q=paging&limit=2&total=true')).json();
    expect(first.items).toHaveLength(2);
    expect(first.total).toBe(5);
    const second = (await api('GET', `/messages?q=paging&limit=2&cursor=${first.nextCursor}`)).json();
    const third = (await api('GET', `/messages?q=paging&limit=2&cursor=${second.nextCursor}`)).json();
    const bodies = [...first.items, ...second.items, ...third.items].map((m: { body: string }) => m.body);
    expect(new Set(bodies).size).toBe(5);
    expect(third.nextCursor).toBeNull();
    const shouting = (await api('GET', '/messages?q=PAGING%204')).json();
    expect(shouting.items.map((m: { body: string }) => m.body)).toEqual(['paging 4']);
    expect((await api('GET', '/messages?q=%25')).json().items).toEqual([]);
    const inbound = (await api('GET', '/messages?direction=inbound')).json();
    expect(inbound.items.every((m: { direction: string }) => m.direction === 'inbound')).toBe(true);
    const csv = await api('GET', '/messages?q=paging', undefined, { accept: 'text/csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toMatch(/^id,createdAt,direction,from,to,status/);
    expect(lines).toHaveLength(6);
  });

  it('streams message.received and message.status on GET /events', async () => {
    await harness.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = harness.app.server.address() as AddressInfo;
    const received: string[] = [];
    const request = http.get({ host: '127.0.0.1', port, path: '/api/v1/events', headers: tenant.auth });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve));
    expect(response.headers['content-type']).toMatch(/text\/event-stream/);
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => received.push(chunk));
    await api('POST', '/sandbox/inbound', { from: '+15559998888', to: OURS, body: 'live event' });
    await api('POST', '/messages', { from: OURS, to: '+15559998888', body: 'live reply' });
    await eventually(async () => received.join('').includes('event: message.received') && received.join('').includes('"status":"delivered"'));
    expect(received.join('')).toContain('live event');
    request.destroy();
  });
});
