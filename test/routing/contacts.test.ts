import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeInbound } from '../../src/services/ingest-inbound.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const OURS = '+15550001111';
const SECOND_LINE = '+15550001112';

describe('contacts and inbound matching', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let other: Tenant;

  beforeAll(async () => {
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    other = await createTestTenant(harness.ctx, 'Other');
    const { accountId } = await createAccountAndNumber(harness.app, tenant, { type: 'sandbox', number: OURS, credentials: { deliveryDelayMs: '10' } });
    expect((await api('POST', '/numbers', { number: SECOND_LINE, providerAccountId: accountId })).statusCode).toBe(201);
  });
  afterAll(() => harness.close());

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, auth: Tenant = tenant) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers: auth.auth, payload: payload as object });
  const inbound = async (from: string, body: string, to = OURS) => {
    const response = await api('POST', '/sandbox/inbound', { from, to, body });
    expect(response.statusCode).toBe(202);
    await harness.ctx.queue.drain();
    return response.json().conversationId as string;
  };
  const conversation = async (id: string) => (await api('GET', `/conversations/${id}`)).json();

  it('stores phones normalised and links inbound messages to every contact whose phone matches', async () => {
    const uk = await api('POST', '/contacts', { name: 'Pat UK', phones: ['07700 900 123'], defaultCountry: 'GB', fields: { company: 'Acme' }, tags: ['vip'] });
    expect(uk.statusCode).toBe(201);
    expect(uk.json()).toMatchObject({ name: 'Pat UK', phones: ['+447700900123'], fields: { company: 'Acme' }, tags: ['vip'], allowSms: true });
    const spouse = await api('POST', '/contacts', { name: 'Sam UK', phones: ['+44 7700 900123', '0044 7700 900124'] });
    expect(spouse.json().phones).toEqual(['+447700900123', '+447700900124']);
    const us = await api('POST', '/contacts', { name: 'Lee US', phones: ['(415) 555-1212'], defaultCountry: 'US' });
    expect(us.json().phones).toEqual(['+14155551212']);
    // Another tenant's contact with the same phone is never linked here.
    expect((await api('POST', '/contacts', { name: 'Not yours', phones: ['+447700900123'] }, other)).statusCode).toBe(201);

    const ukConversation = await inbound('+447700900123', 'Hello from the UK');
    const linked = await conversation(ukConversation);
    expect(linked.contacts.map((c: { name: string }) => c.name).sort()).toEqual(['Pat UK', 'Sam UK']);
    expect(linked.contacts.map((c: { id: string }) => c.id).sort()).toEqual([uk.json().id, spouse.json().id].sort());

    const usConversation = await inbound('+14155551212', 'Hi from SF');
    expect((await conversation(usConversation)).contacts).toEqual([{ id: us.json().id, name: 'Lee US' }]);
  });

  it('announces a conversation change for a contact link only when the link is new', async () => {
    expect((await api('POST', '/contacts', { name: 'Kim Repeat', phones: ['+15557770042'] })).statusCode).toBe(201);
    const updates: string[] = [];
    const unsubscribe = harness.ctx.events.subscribe((event) => {
      if (event.type === 'conversation.updated') updates.push((event.data as { id: string }).id);
    });
    try {
      const id = await inbound('+15557770042', 'First text');
      const afterFirst = updates.filter((u) => u === id).length;
      expect(await inbound('+15557770042', 'Second text')).toBe(id);
      const afterSecond = updates.filter((u) => u === id).length;
      expect((await conversation(id)).contacts.map((c: { name: string }) => c.name)).toEqual(['Kim Repeat']);
      // The first text linked Kim and said so; the second changed the conversation only by arriving.
      expect(afterSecond - afterFirst).toBe(afterFirst - 1);
    } finally {
      unsubscribe();
    }
  });

  it('links a group MMS to the contacts of every other recipient, not only the sender', async () => {
    const cousin = await api('POST', '/contacts', { name: 'Group cousin', phones: ['+15557770077'] });
    const account = await harness.ctx.db.selectFrom('provider_accounts').selectAll().where('tenant_id', '=', tenant.tenantId).where('type', '=', 'sandbox').executeTakeFirstOrThrow();
    const stored = await storeInbound(harness.ctx, account, { inbound: [{ providerMessageId: 'group-mms-1', from: '+15557770066', to: [OURS, '+15557770077'], body: 'Hi all', media: [] }], statuses: [] }, { transport: 'webhook', method: 'POST', url: 'http://switchboard.test/test', remoteIp: null, ackStatus: 200 });
    expect(stored).toMatchObject({ kind: 'stored', verdict: 'accepted' });
    await harness.ctx.queue.drain();
    const message = (await api('GET', `/messages/${(stored as { messageIds: string[] }).messageIds[0]}`)).json();
    expect((await conversation(message.conversationId)).contacts).toEqual([{ id: cousin.json().id, name: 'Group cousin' }]);
  });

  it('lists unmatched conversations under notLinked and links one by hand', async () => {
    const stranger = await inbound('+15557770000', 'Who is this?');
    const notLinked = (await api('GET', '/conversations?notLinked=true')).json();
    expect(notLinked.items.map((c: { id: string }) => c.id)).toEqual([stranger]);

    const contact = await api('POST', '/contacts', { name: 'Walk-in customer', phones: [] });
    const link = await api('POST', `/contacts/${contact.json().id}/link`, { conversationId: stranger });
    expect(link.statusCode).toBe(200);
    expect((await conversation(stranger)).contacts).toEqual([{ id: contact.json().id, name: 'Walk-in customer' }]);
    expect((await api('GET', '/conversations?notLinked=true')).json().items).toEqual([]);
    expect((await api('POST', `/contacts/${contact.json().id}/link`, { conversationId: 'cv_nope' })).statusCode).toBe(404);
    expect((await api('POST', `/contacts/${contact.json().id}/link`, { conversationId: stranger }, other)).statusCode).toBe(404);
  });

  it('links existing conversations when a contact gains the phone later', async () => {
    const later = await inbound('+15557770001', 'Remember me?');
    expect((await conversation(later)).contacts).toEqual([]);
    const contact = await api('POST', '/contacts', { name: 'Later Lou', phones: [] });
    const patched = await api('PATCH', `/contacts/${contact.json().id}`, { phones: ['555-777-0001'], defaultCountry: 'US' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().phones).toEqual(['+15557770001']);
    expect((await conversation(later)).contacts).toEqual([{ id: contact.json().id, name: 'Later Lou' }]);
    expect((await api('DELETE', `/contacts/${contact.json().id}`)).statusCode).toBe(204);
    expect((await conversation(later)).contacts).toEqual([]);
  });

  it('lists, searches and validates contacts', async () => {
    const byPhone = (await api('GET', '/contacts?phone=%2B447700900123')).json();
    expect(byPhone.items.map((c: { name: string }) => c.name).sort()).toEqual(['Pat UK', 'Sam UK']);
    const byTag = (await api('GET', '/contacts?tag=vip')).json();
    expect(byTag.items.map((c: { name: string }) => c.name)).toEqual(['Pat UK']);
    const byName = (await api('GET', '/contacts?q=lee')).json();
    expect(byName.items.map((c: { name: string }) => c.name)).toEqual(['Lee US']);
    const paged = (await api('GET', '/contacts?limit=2')).json();
    expect(paged.items).toHaveLength(2);
    expect(paged.nextCursor).toBeTruthy();
    const bad = await api('POST', '/contacts', { name: 'Bad', phones: ['0415 555 1212'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid_number' });
    expect(bad.json().error.message).toContain('phones[0]');
    expect((await api('POST', '/contacts', { name: 'X', phones: [], colour: 'red' })).statusCode).toBe(400);
    expect((await api('GET', '/contacts')).json().items.every((c: { name: string }) => c.name !== 'Not yours')).toBe(true);
  });

  it('imports contacts from CSV, reporting bad rows by line', async () => {
    const csv = 'Name,Phone,Tags,allow_sms,Company\r\n"Doe, Jane",020 7946 0958,lead;uk,yes,"Big ""Co"""\r\nNo Phone,,,,\r\nKim,+447700900555,,no,\r\n';
    const response = await harness.app.inject({ method: 'POST', url: '/api/v1/contacts/import?defaultCountry=GB', headers: { ...tenant.auth, 'content-type': 'text/csv' }, payload: csv });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ imported: 2, failed: 1, errors: [{ line: 3 }] });
    const jane = (await api('GET', '/contacts?phone=%2B442079460958')).json().items[0];
    expect(jane).toMatchObject({ name: 'Doe, Jane', tags: ['lead', 'uk'], allowSms: true, fields: { company: 'Big "Co"' } });
    const kim = (await api('GET', '/contacts?phone=%2B447700900555')).json().items[0];
    expect(kim.allowSms).toBe(false);
    const json = await api('POST', '/contacts/import', { csv: 'name,phone\nViaJson,+15557770009\n' });
    expect(json.json()).toMatchObject({ imported: 1, failed: 0 });
    expect((await api('POST', '/contacts/import', { csv: 'just,a,header\n' })).statusCode).toBe(400);
  });

  it('keeps linking on later inbound messages from a matched number', async () => {
    const again = await inbound('+447700900123', 'Me again');
    await eventually(async () => (await conversation(again)).contacts.length === 2);
  });

  it('matches the very next text after a contact gains, loses or is deleted with a phone this node has looked up', async () => {
    const phone = '+15557770088';
    const first = await inbound(phone, 'Nobody knows me yet');
    expect((await conversation(first)).contacts).toEqual([]);
    // A new contact with that phone: a new conversation (the other line) links it at once.
    const contact = (await api('POST', '/contacts', { name: 'Cached Cass', phones: [phone] })).json();
    const onSecondLine = await inbound(phone, 'Hello other line', SECOND_LINE);
    expect((await conversation(onSecondLine)).contacts).toEqual([{ id: contact.id, name: 'Cached Cass' }]);
    // The phone moves to another number: texts from the old one link nobody.
    expect((await api('PATCH', `/contacts/${contact.id}`, { phones: ['+15557770089'] })).statusCode).toBe(200);
    expect(await inbound(phone, 'Still me, old phone', SECOND_LINE)).toBe(onSecondLine);
    expect((await conversation(onSecondLine)).contacts).toEqual([]);
    // Deleted: a text from its phone is stored and links nobody.
    const moved = await inbound('+15557770089', 'New phone');
    expect((await conversation(moved)).contacts).toEqual([{ id: contact.id, name: 'Cached Cass' }]);
    expect((await api('DELETE', `/contacts/${contact.id}`)).statusCode).toBe(204);
    expect(await inbound('+15557770089', 'Anyone?')).toBe(moved);
    expect((await conversation(moved)).contacts).toEqual([]);
    // Routing ran cleanly for every text: no attempt failed (a deleted contact's id would break the link's foreign key).
    expect(await harness.ctx.db.selectFrom('jobs').select('last_error').where('last_error', 'is not', null).execute()).toEqual([]);
  });
});
