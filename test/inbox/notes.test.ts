/**
 * Issue 12, private notes in a thread: written, listed and deleted through the API; never sent
 * (no message row, no send job); @mentions reach only the mentioned user, live on /events and by
 * Web Push; agents without access and other tenants see nothing; bad input is a clear 4xx.
 */
import { createECDH, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/services/tenants.js';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, eventually, type Tenant, type TestApp } from '../helper.js';
import { openEventStream, signIn, type Session } from '../routing/support.js';

const LINE = '+15550112000';
const OTHER_LINE = '+15550112001';
const CUSTOMER = '+15550113001';
const HIDDEN_CUSTOMER = '+15550113002';
const PASSWORD = 'password 123';
const PUSH_HOST = 'push.example.test';

function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

describe('private notes in a conversation thread', () => {
  let t: TestApp;
  let tenant: Tenant;
  let other: Tenant;
  let baseUrl = '';
  const pushed: string[] = [];
  const users: Record<'owner' | 'ann' | 'ben' | 'cat', { id: string; session: Session }> = {} as never;
  let conversationId = '';
  let hiddenId = '';
  let otherBen: Session;

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = tenant.auth) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers, payload: payload as object });
  const as = (who: keyof typeof users) => users[who].session.headers;
  const conversationOf = async (remote: string) =>
    eventually(async () => ((await api('GET', `/conversations?q=${encodeURIComponent(remote)}`)).json().items as Array<{ id: string; remoteNumbers: string[] }>).find((c) => c.remoteNumbers.includes(remote))?.id);

  beforeAll(async () => {
    // The push service is the only thing faked: web-push builds real encrypted requests, this records where they go.
    const fetchWithPush: typeof fetch = async (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (url.hostname === PUSH_HOST) {
        pushed.push(url.pathname);
        return new Response('', { status: 201 });
      }
      return fetch(input, init);
    };
    t = await createTestApp({ fetch: fetchWithPush });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    tenant = await createTestTenant(t.ctx);
    const people = [
      ['owner', 'owner@example.com', 'Olive Owner', 'owner', null],
      ['ann', 'ann@example.com', 'Ann Agent', 'agent', '1001'],
      ['ben', 'ben@example.com', 'Ben Agent', 'agent', '1002'],
      ['cat', 'cat@example.com', 'Cat Agent', 'agent', '1003'],
    ] as const;
    for (const [key, email, name, role, extension] of people) {
      const user = await createTestUser(t.ctx, tenant.tenantId, { email, name, role, password: PASSWORD, extension, sendPermission: 'number' });
      users[key] = { id: user.id, session: await signIn(t.app, email, PASSWORD) };
    }
    const { accountId, numberId } = await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: LINE, credentials: { deliveryDelayMs: '10' } });
    expect((await api('PATCH', `/numbers/${numberId}`, { destinations: { userIds: [users.ann.id, users.ben.id] } })).statusCode).toBe(200);
    expect((await api('POST', '/numbers', { number: OTHER_LINE, providerAccountId: accountId, destinations: { userIds: [users.cat.id] } })).statusCode).toBe(201);
    expect((await api('POST', '/sandbox/inbound', { from: CUSTOMER, to: LINE, body: 'My boiler is leaking' })).statusCode).toBeLessThan(300);
    expect((await api('POST', '/sandbox/inbound', { from: HIDDEN_CUSTOMER, to: OTHER_LINE, body: 'Other line' })).statusCode).toBeLessThan(300);
    conversationId = await conversationOf(CUSTOMER);
    hiddenId = await conversationOf(HIDDEN_CUSTOMER);

    // Another tenant with a user who has the same handle as Ben.
    other = await createTestTenant(t.ctx, 'Other Co');
    await createTestUser(t.ctx, other.tenantId, { email: 'ben@other.example', name: 'Ben Other', role: 'owner', password: PASSWORD });
    otherBen = await signIn(t.app, 'ben@other.example', PASSWORD);

    for (const who of ['ann', 'ben', 'owner'] as const) {
      const subscribed = await api('POST', '/push/subscriptions', { endpoint: `https://${PUSH_HOST}/sub/${who}`, keys: browserKeys() }, as(who));
      expect(subscribed.statusCode).toBe(201);
    }
  });
  afterAll(() => t?.close());

  it('stores a note with its author and mentions, and sends nothing: no message row, no send job', async () => {
    const messagesBefore = await t.ctx.db.selectFrom('messages').select('id').where('conversation_id', '=', conversationId).execute();
    const conversationBefore = await t.ctx.db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirstOrThrow();
    const jobsBefore = await t.ctx.db.selectFrom('jobs').select('id').execute();

    const created = await api('POST', `/conversations/${conversationId}/notes`, { body: '  Customer is a VIP, write to ann@example.com first.  ' }, as('ann'));
    expect(created.statusCode, created.body).toBe(201);
    const note = created.json();
    expect(note).toMatchObject({ conversationId, body: 'Customer is a VIP, write to ann@example.com first.', authorId: users.ann.id, author: { id: users.ann.id, name: 'Ann Agent' }, mentionedUserIds: [], mentions: [] });
    expect(note.id).toMatch(/^note_/);
    expect(Date.parse(note.createdAt)).toBeGreaterThan(Date.now() - 60_000);

    // Give a wrongly queued send every chance to show up before looking.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const messagesAfter = await t.ctx.db.selectFrom('messages').select('id').where('conversation_id', '=', conversationId).execute();
    expect(messagesAfter).toHaveLength(messagesBefore.length);
    expect(await t.ctx.db.selectFrom('messages').select('id').where('body', 'like', '%VIP%').execute()).toEqual([]);
    const jobsAfter = await t.ctx.db.selectFrom('jobs').select(['id', 'name']).execute();
    expect(jobsAfter.filter((job) => !jobsBefore.some((before) => before.id === job.id))).toEqual([]);
    const conversationAfter = await t.ctx.db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect(conversationAfter.last_message_id).toBe(conversationBefore.last_message_id);

    const listed = await api('GET', `/conversations/${conversationId}/notes`, undefined, as('ben'));
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({ items: [note], nextCursor: null });
  });

  it('lists newest first with cursor paging', async () => {
    const second = (await api('POST', `/conversations/${conversationId}/notes`, { body: 'Second note' }, as('owner'))).json();
    const first = await api('GET', `/conversations/${conversationId}/notes?limit=1`, undefined, as('ann'));
    expect(first.json().items.map((n: { id: string }) => n.id)).toEqual([second.id]);
    expect(first.json().nextCursor).toEqual(expect.any(String));
    const next = await api('GET', `/conversations/${conversationId}/notes?limit=1&cursor=${first.json().nextCursor}`, undefined, as('ann'));
    expect(next.json().items[0].body).toMatch(/VIP/);
    expect(next.json().nextCursor).toBeNull();
  });

  it('offers only team members who can see the conversation for @mentions', async () => {
    const response = await api('GET', `/conversations/${conversationId}/notes/mentionable`, undefined, as('ann'));
    expect(response.statusCode).toBe(200);
    const handles = (response.json().items as Array<{ handle: string; name: string }>).map((u) => u.handle).sort();
    expect(handles).toEqual(['ann', 'ben', 'owner']);
  });

  it('tells only the mentioned user, live on /events and by Web Push', async () => {
    const streams = {
      ann: await openEventStream(baseUrl, users.ann.session.cookie),
      ben: await openEventStream(baseUrl, users.ben.session.cookie),
      cat: await openEventStream(baseUrl, users.cat.session.cookie),
      owner: await openEventStream(baseUrl, users.owner.session.cookie),
      otherBen: await openEventStream(baseUrl, otherBen.cookie),
    };
    try {
      pushed.length = 0;
      const created = await api('POST', `/conversations/${conversationId}/notes`, { body: '@ben can you call them back before 5?' }, as('ann'));
      expect(created.statusCode, created.body).toBe(201);
      const note = created.json();
      expect(note.mentionedUserIds).toEqual([users.ben.id]);
      expect(note.mentions).toEqual([{ id: users.ben.id, name: 'Ben Agent', handle: 'ben' }]);

      const mention = await eventually(async () => streams.ben.events.find((e) => e.type === 'note.mention'));
      expect(mention.data).toMatchObject({ noteId: note.id, conversationId, authorName: 'Ann Agent', preview: '@ben can you call them back before 5?' });
      // A later note that mentions nobody marks the point by which any stray mention would have arrived.
      const marker = (await api('POST', `/conversations/${conversationId}/notes`, { body: 'marker' }, as('owner'))).json();
      for (const who of ['ann', 'owner', 'ben'] as const) {
        await eventually(async () => streams[who].events.some((e) => e.type === 'note.created' && e.data.id === marker.id));
      }
      expect(streams.ann.events.filter((e) => e.type === 'note.mention')).toEqual([]);
      expect(streams.owner.events.filter((e) => e.type === 'note.mention')).toEqual([]);
      expect(streams.ben.events.filter((e) => e.type === 'note.mention')).toHaveLength(1);
      expect(streams.owner.events.some((e) => e.type === 'note.created' && e.data.id === note.id)).toBe(true);
      // Cat cannot see the line; the other tenant's Ben shares only a handle.
      expect(streams.cat.events.filter((e) => e.type.startsWith('note.'))).toEqual([]);
      expect(streams.otherBen.events.filter((e) => e.type.startsWith('note.'))).toEqual([]);

      await eventually(async () => pushed.includes('/sub/ben'));
      const job = await eventually(async () => (await t.ctx.db.selectFrom('jobs').select('id').where('name', '=', 'push.mention').executeTakeFirst()) === undefined);
      expect(job).toBe(true);
      expect(pushed).toEqual(['/sub/ben']);
    } finally {
      for (const stream of Object.values(streams)) stream.close();
    }
  });

  it('keeps notes of an internal thread (extension to extension) to the extensions in it', async () => {
    const sent = await api('POST', '/messages', { from: '1001', to: '1002', body: 'Lunch at 12?' }, as('ann'));
    expect(sent.statusCode).toBe(202);
    const internalId = sent.json().conversationId as string;
    const streams = { ben: await openEventStream(baseUrl, users.ben.session.cookie), cat: await openEventStream(baseUrl, users.cat.session.cookie), owner: await openEventStream(baseUrl, users.owner.session.cookie) };
    try {
      expect((await api('POST', `/conversations/${internalId}/notes`, { body: 'and @cat too?' }, as('ann'))).statusCode).toBe(422);
      const note = await api('POST', `/conversations/${internalId}/notes`, { body: '@ben bring the invoice' }, as('ann'));
      expect(note.statusCode, note.body).toBe(201);
      await eventually(async () => streams.ben.events.find((e) => e.type === 'note.mention' && e.data.noteId === note.json().id));
      await eventually(async () => streams.ben.events.find((e) => e.type === 'note.created' && e.data.id === note.json().id));
      await eventually(async () => streams.owner.events.find((e) => e.type === 'note.created' && e.data.id === note.json().id));
      expect(streams.cat.events.filter((e) => e.type.startsWith('note.'))).toEqual([]);
      expect((await api('GET', `/conversations/${internalId}/notes`, undefined, as('cat'))).statusCode).toBe(404);
      expect((await api('GET', `/conversations/${internalId}/notes`, undefined, as('ben'))).json().items.map((n: { id: string }) => n.id)).toEqual([note.json().id]);
    } finally {
      for (const stream of Object.values(streams)) stream.close();
    }
  });

  it('refuses to mention someone who cannot see the conversation, naming them, and stores nothing', async () => {
    const before = (await api('GET', `/conversations/${conversationId}/notes?limit=500`)).json().items.length;
    const response = await api('POST', `/conversations/${conversationId}/notes`, { body: 'Loop in @cat please' }, as('ann'));
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('mention_without_access');
    expect(response.json().error.message).toMatch(/@cat \(Cat Agent\) cannot see this conversation/);
    expect((await api('GET', `/conversations/${conversationId}/notes?limit=500`)).json().items.length).toBe(before);
    // By name without spaces works too, and an unknown handle is just text.
    const byName = await api('POST', `/conversations/${conversationId}/notes`, { body: '@BenAgent see above; meeting @3pm' }, as('owner'));
    expect(byName.statusCode).toBe(201);
    expect(byName.json().mentionedUserIds).toEqual([users.ben.id]);
  });

  it('refuses a handle that matches several team members', async () => {
    // Same email local part at two domains, different names.
    const smith = await createTestUser(t.ctx, tenant.tenantId, { email: 'dan@example.com', name: 'Dan Smith', role: 'admin', password: PASSWORD });
    const jones = await createTestUser(t.ctx, tenant.tenantId, { email: 'dan@example.org', name: 'Dan Jones', role: 'admin', password: PASSWORD });
    const response = await api('POST', `/conversations/${conversationId}/notes`, { body: 'ask @dan' }, as('ann'));
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('ambiguous_mention');
    // Names only: an agent is not told colleagues' email addresses.
    expect(response.json().error.message).toMatch(/@dan matches 2 team members \(Dan (Smith|Jones), Dan (Smith|Jones)\)/);
    expect(response.json().error.message).not.toMatch(/example\.(com|org)/);
    // The autocomplete offers them by name, and that resolves.
    const offered = (await api('GET', `/conversations/${conversationId}/notes/mentionable`, undefined, as('ann'))).json().items as Array<{ id: string; handle: string }>;
    expect(offered.find((u) => u.id === smith.id)?.handle).toBe('dansmith');
    expect(offered.find((u) => u.id === jones.id)?.handle).toBe('danjones');
    const byName = await api('POST', `/conversations/${conversationId}/notes`, { body: 'ask @dansmith' }, as('ann'));
    expect(byName.statusCode).toBe(201);
    expect(byName.json().mentionedUserIds).toEqual([smith.id]);
  });

  it('hides notes of a conversation from an agent without access', async () => {
    const note = (await api('POST', `/conversations/${conversationId}/notes`, { body: 'not for Cat' }, as('owner'))).json();
    expect((await api('GET', `/conversations/${conversationId}/notes`, undefined, as('cat'))).statusCode).toBe(404);
    expect((await api('GET', `/conversations/${conversationId}/notes/mentionable`, undefined, as('cat'))).statusCode).toBe(404);
    expect((await api('POST', `/conversations/${conversationId}/notes`, { body: 'sneaky' }, as('cat'))).statusCode).toBe(404);
    expect((await api('DELETE', `/conversations/${conversationId}/notes/${note.id}`, undefined, as('cat'))).statusCode).toBe(404);
    // Cat works her own line; Ann cannot see it.
    expect((await api('POST', `/conversations/${hiddenId}/notes`, { body: 'Cat line note' }, as('cat'))).statusCode).toBe(201);
    expect((await api('GET', `/conversations/${hiddenId}/notes`, undefined, as('ann'))).statusCode).toBe(404);
  });

  it('keeps tenants apart', async () => {
    const note = (await api('POST', `/conversations/${conversationId}/notes`, { body: 'tenant A only' })).json();
    expect((await api('GET', `/conversations/${conversationId}/notes`, undefined, other.auth)).statusCode).toBe(404);
    expect((await api('POST', `/conversations/${conversationId}/notes`, { body: 'from B' }, other.auth)).statusCode).toBe(404);
    expect((await api('DELETE', `/conversations/${conversationId}/notes/${note.id}`, undefined, other.auth)).statusCode).toBe(404);
    expect((await api('GET', `/conversations/${conversationId}/notes`, undefined, otherBen.headers)).statusCode).toBe(404);
    const stored = await t.ctx.db.selectFrom('conversation_notes' as never).selectAll().where('id' as never, '=', note.id as never).executeTakeFirst();
    expect(stored).toBeTruthy();
  });

  it('lets the author, an admin or an owner delete a note, and audits it', async () => {
    const byAnn = (await api('POST', `/conversations/${conversationId}/notes`, { body: 'Ann wrote this' }, as('ann'))).json();
    const byBen = (await api('POST', `/conversations/${conversationId}/notes`, { body: 'Ben wrote this' }, as('ben'))).json();
    const refused = await api('DELETE', `/conversations/${conversationId}/notes/${byAnn.id}`, undefined, as('ben'));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/only its author, an admin or an owner/);
    expect((await api('DELETE', `/conversations/${conversationId}/notes/${byAnn.id}`, undefined, as('ann'))).statusCode).toBe(204);
    expect((await api('DELETE', `/conversations/${conversationId}/notes/${byBen.id}`, undefined, as('owner'))).statusCode).toBe(204);
    expect((await api('DELETE', `/conversations/${conversationId}/notes/${byBen.id}`, undefined, as('owner'))).statusCode).toBe(404);
    // The note id must belong to this conversation.
    const elsewhere = (await api('POST', `/conversations/${hiddenId}/notes`, { body: 'on the other line' })).json();
    expect((await api('DELETE', `/conversations/${conversationId}/notes/${elsewhere.id}`)).statusCode).toBe(404);
    const ids = (await api('GET', `/conversations/${conversationId}/notes?limit=500`)).json().items.map((n: { id: string }) => n.id);
    expect(ids).not.toContain(byAnn.id);
    expect(ids).not.toContain(byBen.id);
    const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenant.tenantId).where('action', '=', 'note.deleted').orderBy('created_at').execute();
    expect(audit.map((row) => [row.target_id, row.actor_id])).toEqual([
      [byAnn.id, users.ann.id],
      [byBen.id, users.owner.id],
    ]);
  });

  it('needs messages:read to list and inbox:write to write', async () => {
    const reader = await createApiKey(t.ctx.db, tenant.tenantId, 'reader', ['messages:read']);
    const writer = await createApiKey(t.ctx.db, tenant.tenantId, 'writer', ['inbox:write']);
    const read = { authorization: `Bearer ${reader.key}` };
    const write = { authorization: `Bearer ${writer.key}` };
    expect((await api('GET', `/conversations/${conversationId}/notes`, undefined, read)).statusCode).toBe(200);
    expect((await api('POST', `/conversations/${conversationId}/notes`, { body: 'x' }, read)).statusCode).toBe(403);
    expect((await api('GET', `/conversations/${conversationId}/notes`, undefined, write)).statusCode).toBe(403);
    expect((await api('POST', `/conversations/${conversationId}/notes`, { body: 'from an integration' }, write)).statusCode).toBe(201);
  });

  it('answers bad input with a 4xx that names the problem, never a 500', async () => {
    const url = `/conversations/${conversationId}/notes`;
    const cases: Array<[unknown, RegExp]> = [
      [{}, /body/],
      [{ body: '' }, /body/],
      [{ body: '   \n ' }, /body is empty/],
      [{ body: 'bad\u0000byte' }, /NUL/],
      [{ body: 'x'.repeat(4001) }, /at most 4000/],
      [{ body: 'x'.repeat(100_000) }, /body/],
      [{ body: 42 }, /body/],
      [{ body: ['a'] }, /body/],
      [{ body: 'ok', extra: true }, /extra|additional/i],
    ];
    for (const [payload, message] of cases) {
      const response = await api('POST', url, payload, as('ann'));
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.json().error.message).toMatch(message);
    }
    expect((await api('POST', url, { body: 'x'.repeat(4000) }, as('ann'))).statusCode).toBe(201);
    expect((await api('GET', `${url}?cursor=nonsense`)).statusCode).toBe(400);
    expect((await api('GET', `${url}?limit=0`)).statusCode).toBe(400);
    expect((await api('GET', `/conversations/conv_missing/notes`)).statusCode).toBe(404);
    expect((await api('POST', `/conversations/conv_missing/notes`, { body: 'hello' })).statusCode).toBe(404);
    expect((await api('DELETE', `${url}/note_missing`)).statusCode).toBe(404);
  });
});
