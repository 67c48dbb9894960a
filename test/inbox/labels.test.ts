/**
 * Issue 12, labels on conversations: tenant labels (unique by name whatever the case, palette or
 * #rrggbb colours), owners and admins manage them, agents put them on the conversations they can
 * see; conversations carry their labels, the list filters by one, changes are announced live,
 * and a label never crosses tenants.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/services/tenants.js';
import type { AppEvent } from '../../src/services/events.js';
import { LABEL_PALETTE, contrastRatio, labelTextColor } from '../../src/lib/label-colors.js';
import { createAccountAndNumber, createTestApp, createTestTenant, createTestUser, eventually, type Tenant, type TestApp } from '../helper.js';
import { openEventStream, signIn, type Session } from '../routing/support.js';

const OURS = '+15550131000';
const OTHER = '+15550131001';
const CUSTOMERS = ['+15550132001', '+15550132002', '+15550132003'];
const HIDDEN = '+15550132999';
const B_OURS = '+15550133000';
const B_CUSTOMER = '+15550134001';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Label {
  id: string;
  name: string;
  color: string;
}

describe('labels: catalogue, applying, filtering, roles and tenants', () => {
  let t: TestApp;
  let tenant: Tenant;
  let other: Tenant;
  let agent: Session;
  const ids: string[] = [];
  let hidden = '';
  let otherConversation = '';
  let baseUrl = '';
  const events: AppEvent[] = [];

  const api = (method: Method, url: string, payload?: unknown, headers: Record<string, string> = tenant.auth) => t.app.inject({ method, url: `/api/v1${url}`, headers, payload: payload as object });
  const conversationOf = async (remote: string, who: Tenant = tenant) =>
    eventually(async () => ((await api('GET', `/conversations?q=${encodeURIComponent(remote)}`, undefined, who.auth)).json().items as Array<{ id: string; remoteNumbers: string[] }>).find((c) => c.remoteNumbers.includes(remote))?.id);
  const listIds = async (query: string, headers: Record<string, string> = tenant.auth) => ((await api('GET', `/conversations?${query}`, undefined, headers)).json().items as Array<{ id: string }>).map((c) => c.id).sort();
  const create = async (payload: unknown, who: Tenant = tenant) => {
    const response = await api('POST', '/labels', payload, who.auth);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as Label;
  };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    tenant = await createTestTenant(t.ctx);
    other = await createTestTenant(t.ctx, 'Other Co');
    t.ctx.events.subscribe((event) => events.push(event));
    const { accountId } = await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: OURS, credentials: { deliveryDelayMs: '10' } });
    expect((await api('POST', '/numbers', { number: OTHER, providerAccountId: accountId })).statusCode).toBe(201);
    for (const customer of CUSTOMERS) {
      expect((await api('POST', '/sandbox/inbound', { from: customer, to: OURS, body: `hello from ${customer}` })).statusCode).toBeLessThan(300);
      ids.push(await conversationOf(customer));
    }
    expect((await api('POST', '/sandbox/inbound', { from: HIDDEN, to: OTHER, body: 'on the other line' })).statusCode).toBeLessThan(300);
    hidden = await conversationOf(HIDDEN);

    await createAccountAndNumber(t.app, other, { type: 'sandbox', number: B_OURS, credentials: { deliveryDelayMs: '10' } });
    expect((await api('POST', '/sandbox/inbound', { from: B_CUSTOMER, to: B_OURS, body: 'tenant B here' }, other.auth)).statusCode).toBeLessThan(300);
    otherConversation = await conversationOf(B_CUSTOMER, other);

    const agentUser = await createTestUser(t.ctx, tenant.tenantId, { email: 'agent@labels.test', name: 'Agent', role: 'agent', password: 'agent-password' });
    const numbers = (await api('GET', '/numbers')).json().items as Array<{ id: string; number: string }>;
    expect((await api('PATCH', `/numbers/${numbers.find((n) => n.number === OURS)!.id}`, { destinations: { userIds: [agentUser.id] } })).statusCode).toBe(200);
    agent = await signIn(t.app, 'agent@labels.test', 'agent-password');
    // The inbound messages' routing jobs announce their own events; let them finish first.
    await eventually(async () => (await t.ctx.db.selectFrom('jobs').select('id').executeTakeFirst()) === undefined, 15_000);
  });
  afterAll(() => t.close());

  it('creates, lists, renames, recolours and deletes labels; names are unique without case', async () => {
    const vip = await create({ name: '  VIP ', color: 'purple' });
    expect(vip).toMatchObject({ name: 'VIP', color: LABEL_PALETTE.purple });
    expect(vip.id).toMatch(/^lbl_/);
    const billing = await create({ name: 'Billing', color: '#0E7490' });
    expect(billing.color).toBe('#0e7490');
    const plain = await create({ name: 'Follow up' });
    expect(plain.color).toBe(LABEL_PALETTE.gray);

    const list = await api('GET', '/labels');
    expect(list.json()).toMatchObject({ nextCursor: null });
    expect(list.json().items.map((l: Label) => l.name)).toEqual(['Billing', 'Follow up', 'VIP']);
    expect((await api('GET', `/labels/${vip.id}`)).json()).toMatchObject({ id: vip.id, name: 'VIP' });

    const clash = await api('POST', '/labels', { name: 'vip' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error).toMatchObject({ code: 'conflict' });
    expect(clash.json().error.message).toMatch(/"VIP" already exists/);
    expect((await api('PATCH', `/labels/${billing.id}`, { name: 'FOLLOW UP' })).statusCode).toBe(409);

    const renamed = await api('PATCH', `/labels/${plain.id}`, { name: 'Call back', color: 'teal' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: plain.id, name: 'Call back', color: LABEL_PALETTE.teal });
    // Renaming to its own name in another case is allowed.
    expect((await api('PATCH', `/labels/${vip.id}`, { name: 'Vip' })).json().name).toBe('Vip');
    expect((await api('PATCH', `/labels/${vip.id}`, { name: 'VIP' })).json().name).toBe('VIP');

    expect((await api('DELETE', `/labels/${plain.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/labels/${plain.id}`)).statusCode).toBe(404);
    expect((await api('GET', '/labels')).json().items.map((l: Label) => l.name)).toEqual(['Billing', 'VIP']);
    expect(events.some((e) => e.type === 'labels.changed' && (e.data as { id: string }).id === plain.id)).toBe(true);
  });

  it('refuses bad input with a 4xx that names the problem', async () => {
    const bad: Array<[Method, string, unknown, RegExp]> = [
      ['POST', '/labels', { name: '   ' }, /name must not be empty/],
      ['POST', '/labels', { name: '' }, /name/],
      ['POST', '/labels', { name: 'x'.repeat(51) }, /name/],
      ['POST', '/labels', { name: 5 }, /name/],
      ['POST', '/labels', {}, /name/],
      ['POST', '/labels', { name: 'Tab\there' }, /control characters/],
      ['POST', '/labels', { name: 'Nul\u0000' }, /NUL/],
      ['POST', '/labels', { name: 'Green', color: 'chartreuse' }, /color "chartreuse" is neither a palette colour/],
      ['POST', '/labels', { name: 'Green', color: '#12345' }, /#rrggbb/],
      ['POST', '/labels', { name: 'Green', color: 'x'.repeat(5000) }, /color/],
      ['POST', '/labels', { name: 'Green', extra: true }, /extra|additional/],
      ['PATCH', '/labels/lbl_missing', { name: 'Nope' }, /label lbl_missing was not found/],
      ['PUT', `/conversations/${ids[0]}/labels`, { labelIds: 'VIP' }, /labelIds/],
      ['PUT', `/conversations/${ids[0]}/labels`, { labelIds: Array.from({ length: 51 }, (_, i) => `lbl_${i}`) }, /labelIds/],
      ['PUT', `/conversations/${ids[0]}/labels`, { labelIds: ['lbl_nope'] }, /label "lbl_nope" is not a label of this tenant/],
      ['PUT', `/conversations/${ids[0]}/labels/lbl_nope`, undefined, /label lbl_nope was not found/],
      ['PUT', '/conversations/cv_missing/labels', { labelIds: [] }, /conversation cv_missing was not found/],
      ['GET', `/conversations?label=${'x'.repeat(101)}`, undefined, /label/],
    ];
    for (const [method, url, payload, message] of bad) {
      const response = await api(method, url, payload);
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(payload)?.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.json().error.message).toMatch(message);
    }
    expect((await api('GET', '/labels')).json().items.map((l: Label) => l.name)).toEqual(['Billing', 'VIP']);
  });

  it('puts labels on conversations and takes them off; conversations carry them; the list filters by one; each change is announced', async () => {
    const [billing, vip] = (await api('GET', '/labels')).json().items as Label[];
    const before = events.length;
    const added = await api('PUT', `/conversations/${ids[0]}/labels/${vip!.id}`);
    expect(added.statusCode).toBe(200);
    expect(added.json()).toEqual({ id: ids[0], labels: [{ id: vip!.id, name: 'VIP', color: vip!.color }] });
    expect(events.slice(before).some((e) => e.type === 'conversation.updated' && (e.data as { id: string }).id === ids[0])).toBe(true);
    // Again: nothing changes and nothing is announced.
    const quiet = events.length;
    expect((await api('PUT', `/conversations/${ids[0]}/labels/${vip!.id}`)).json().labels).toHaveLength(1);
    expect(events.slice(quiet).filter((e) => (e.data as { id?: string }).id === ids[0])).toEqual([]);

    const set = await api('PUT', `/conversations/${ids[1]}/labels`, { labelIds: [vip!.id, billing!.id, vip!.id] });
    expect(set.json().labels.map((l: Label) => l.name)).toEqual(['Billing', 'VIP']);
    expect((await api('GET', `/conversations/${ids[1]}`)).json().labels.map((l: Label) => l.name)).toEqual(['Billing', 'VIP']);
    const listed = (await api('GET', '/conversations')).json().items as Array<{ id: string; labels: Label[] }>;
    expect(listed.find((c) => c.id === ids[1])!.labels.map((l) => l.id)).toEqual([billing!.id, vip!.id]);
    expect(listed.find((c) => c.id === ids[2])!.labels).toEqual([]);

    expect(await listIds(`label=${vip!.id}`)).toEqual([ids[0], ids[1]].sort());
    expect(await listIds(`label=${billing!.id}`)).toEqual([ids[1]]);
    expect(await listIds(`label=${billing!.id}&q=${encodeURIComponent(CUSTOMERS[0]!)}`)).toEqual([]);
    expect(await listIds('label=lbl_unknown')).toEqual([]);

    // Replacing the set, and taking one off.
    expect((await api('PUT', `/conversations/${ids[1]}/labels`, { labelIds: [billing!.id] })).json().labels.map((l: Label) => l.name)).toEqual(['Billing']);
    expect(await listIds(`label=${vip!.id}`)).toEqual([ids[0]]);
    const removed = await api('DELETE', `/conversations/${ids[0]}/labels/${vip!.id}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ id: ids[0], labels: [] });
    expect(await listIds(`label=${vip!.id}`)).toEqual([]);
    expect((await api('DELETE', `/conversations/${ids[0]}/labels/${vip!.id}`)).statusCode).toBe(200);

    // A renamed label reads renamed on its conversations; a deleted one is gone from them.
    await api('PATCH', `/labels/${billing!.id}`, { name: 'Invoices', color: 'red' });
    expect((await api('GET', `/conversations/${ids[1]}`)).json().labels).toEqual([{ id: billing!.id, name: 'Invoices', color: LABEL_PALETTE.red }]);
    const temporary = await create({ name: 'Temporary' });
    await api('PUT', `/conversations/${ids[2]}/labels/${temporary.id}`);
    expect(await listIds(`label=${temporary.id}`)).toEqual([ids[2]]);
    expect((await api('DELETE', `/labels/${temporary.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/conversations/${ids[2]}`)).json().labels).toEqual([]);
    expect(await listIds(`label=${temporary.id}`)).toEqual([]);
  });

  it('lets agents apply existing labels to conversations they can see, but not manage labels', async () => {
    const vip = ((await api('GET', '/labels')).json().items as Label[]).find((l) => l.name === 'VIP')!;
    expect((await api('GET', '/labels', undefined, agent.headers)).json().items.map((l: Label) => l.name)).toEqual(['Invoices', 'VIP']);
    for (const [method, url, payload] of [
      ['POST', '/labels', { name: 'Agent made' }],
      ['PATCH', `/labels/${vip.id}`, { name: 'Renamed by agent' }],
      ['DELETE', `/labels/${vip.id}`, undefined],
    ] as Array<[Method, string, unknown]>) {
      const response = await api(method, url, payload, agent.headers);
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().error.code).toBe('admin_required');
    }
    expect((await api('GET', `/labels/${vip.id}`)).json().name).toBe('VIP');

    const applied = await api('PUT', `/conversations/${ids[2]}/labels/${vip.id}`, undefined, agent.headers);
    expect(applied.statusCode).toBe(200);
    expect(applied.json().labels.map((l: Label) => l.name)).toEqual(['VIP']);
    expect(await listIds(`label=${vip.id}`, agent.headers)).toEqual([ids[2]]);
    // A conversation on a number not routed to the agent does not exist for them.
    expect((await api('PUT', `/conversations/${hidden}/labels/${vip.id}`, undefined, agent.headers)).statusCode).toBe(404);
    expect((await api('PUT', `/conversations/${hidden}/labels`, { labelIds: [vip.id] }, agent.headers)).statusCode).toBe(404);
    expect((await api('DELETE', `/conversations/${hidden}/labels/${vip.id}`, undefined, agent.headers)).statusCode).toBe(404);
    await api('PUT', `/conversations/${hidden}/labels/${vip.id}`);
    expect(await listIds(`label=${vip.id}`)).toEqual([ids[2], hidden].sort());
    expect(await listIds(`label=${vip.id}`, agent.headers)).toEqual([ids[2]]);

    // API keys: inbox:write applies labels, only admin manages them.
    const inbox = await createApiKey(t.ctx.db, tenant.tenantId, 'inbox only', ['messages:read', 'inbox:write']);
    const headers = { authorization: `Bearer ${inbox.key}` };
    expect((await api('DELETE', `/conversations/${ids[2]}/labels/${vip.id}`, undefined, headers)).statusCode).toBe(200);
    expect((await api('POST', '/labels', { name: 'Key made' }, headers)).statusCode).toBe(403);
  });

  it('keeps labels to their tenant', async () => {
    const mine = ((await api('GET', '/labels')).json().items as Label[]).find((l) => l.name === 'VIP')!;
    const theirs = await create({ name: 'VIP', color: 'green' }, other);
    expect((await api('GET', '/labels', undefined, other.auth)).json().items.map((l: Label) => l.id)).toEqual([theirs.id]);

    // Tenant B's label cannot be seen, changed or applied in tenant A.
    expect((await api('GET', `/labels/${theirs.id}`)).statusCode).toBe(404);
    expect((await api('PATCH', `/labels/${theirs.id}`, { name: 'Taken over' })).statusCode).toBe(404);
    expect((await api('DELETE', `/labels/${theirs.id}`)).statusCode).toBe(404);
    expect((await api('PUT', `/conversations/${ids[0]}/labels/${theirs.id}`)).statusCode).toBe(404);
    const set = await api('PUT', `/conversations/${ids[0]}/labels`, { labelIds: [mine.id, theirs.id] });
    expect(set.statusCode).toBe(400);
    expect(set.json().error.message).toContain(theirs.id);
    expect((await api('GET', `/conversations/${ids[0]}`)).json().labels).toEqual([]);
    // Nor can A label B's conversation, even with its own label.
    expect((await api('PUT', `/conversations/${otherConversation}/labels/${mine.id}`)).statusCode).toBe(404);
    expect((await api('PUT', `/conversations/${otherConversation}/labels/${theirs.id}`)).statusCode).toBe(404);

    await api('PUT', `/conversations/${otherConversation}/labels/${theirs.id}`, undefined, other.auth);
    expect(await listIds(`label=${theirs.id}`)).toEqual([]);
    expect(await listIds(`label=${theirs.id}`, other.auth)).toEqual([otherConversation]);
  });

  it("announces label changes on the agent's live stream, only for conversations the agent can see", async () => {
    const stream = await openEventStream(baseUrl, agent.cookie);
    try {
      const label = await create({ name: 'Urgent', color: 'orange' });
      await eventually(async () => stream.events.some((e) => e.type === 'labels.changed' && e.data.id === label.id));
      await api('PUT', `/conversations/${hidden}/labels/${label.id}`);
      await api('PUT', `/conversations/${ids[0]}/labels/${label.id}`);
      await eventually(async () => stream.events.some((e) => e.type === 'conversation.updated' && e.data.id === ids[0]));
      expect(stream.events.some((e) => e.data.id === hidden)).toBe(false);
    } finally {
      stream.close();
    }
  });

  it('filters conversations by linked contact', async () => {
    const contact = await api('POST', '/contacts', { name: 'Pat Customer', phones: [CUSTOMERS[1]] });
    expect(contact.statusCode).toBe(201);
    expect(await listIds(`contactId=${contact.json().id}`)).toEqual([ids[1]]);
    expect(await listIds(`contactId=${contact.json().id}`, other.auth)).toEqual([]);
  });

  it('has a palette that reads with white text, and picks readable text for any colour', () => {
    for (const hex of Object.values(LABEL_PALETTE)) expect(contrastRatio(hex, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(labelTextColor('#fde047')).toBe('#000000');
    expect(labelTextColor('#1e3a8a')).toBe('#ffffff');
  });
});
