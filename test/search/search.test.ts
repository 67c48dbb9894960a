/**
 * Issue 11, P5: message search reads an index, not a LIKE scan. Words come from FTS5 (SQLite) or
 * a tsvector GIN index (PostgreSQL), kept current when bodies change; a phone number typed in any
 * format finds its conversations and log rows.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationContains, matchWords } from '../../src/db/text-search.js';
import { findOrCreateConversation } from '../../src/services/conversations.js';
import { createAccountAndNumber, createTestApp, createTestTenant, TEST_DATABASE, type Tenant, type TestApp } from '../helper.js';

const LINE = '+14155550100';
const CUSTOMER = '+15559876543';
const OTHER_CUSTOMER = '+14155550177';

describe('message search through the index', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let otherTenant: Tenant;

  const api = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = tenant.auth) =>
    harness.app.inject({ method, url: `/api/v1${url}`, headers, payload: payload as object });

  const inbound = async (from: string, body: string, headers = tenant.auth) => {
    const response = await api('POST', '/sandbox/inbound', { from, to: LINE, body }, headers);
    expect(response.statusCode).toBeLessThan(300);
  };
  const bodiesFor = async (q: string, headers = tenant.auth) =>
    ((await api('GET', `/messages?q=${encodeURIComponent(q)}`, undefined, headers)).json().items as { body: string }[]).map((m) => m.body).sort();

  beforeAll(async () => {
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    otherTenant = await createTestTenant(harness.ctx, 'Other');
    await createAccountAndNumber(harness.app, tenant, { type: 'sandbox', number: LINE });
    await createAccountAndNumber(harness.app, otherTenant, { type: 'sandbox', number: LINE });
    await inbound(CUSTOMER, 'Your parcel was Delivered to the front door');
    await inbound(CUSTOMER, 'Is the invoice ready?');
    await inbound(OTHER_CUSTOMER, 'parcel lost, please call');
    await inbound(OTHER_CUSTOMER, 'the parcel was delivered', otherTenant.auth);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('finds whole words and word starts, case-insensitively, all words required, only in the caller tenant', async () => {
    expect(await bodiesFor('parcel')).toEqual(['Your parcel was Delivered to the front door', 'parcel lost, please call']);
    expect(await bodiesFor('DELIV')).toEqual(['Your parcel was Delivered to the front door']);
    expect(await bodiesFor('parcel lost')).toEqual(['parcel lost, please call']);
    expect(await bodiesFor('invoice?')).toEqual(['Is the invoice ready?']);
    expect(await bodiesFor('%')).toEqual([]);
    expect(await bodiesFor('parcel', otherTenant.auth)).toEqual(['the parcel was delivered']);
    const conversations = (await api('GET', '/conversations?q=invoice')).json().items as { remoteNumbers: string[] }[];
    expect(conversations.map((c) => c.remoteNumbers[0])).toEqual([CUSTOMER]);
  });

  it('follows bodies that change and messages that are deleted', async () => {
    const row = await harness.ctx.db.selectFrom('messages').select('id').where('tenant_id', '=', tenant.tenantId).where('body', '=', 'Is the invoice ready?').executeTakeFirstOrThrow();
    await harness.ctx.db.updateTable('messages').set({ body: 'Is the quotation ready?' }).where('id', '=', row.id).execute();
    expect(await bodiesFor('invoice')).toEqual([]);
    expect(await bodiesFor('quotation')).toEqual(['Is the quotation ready?']);
    await harness.ctx.db.deleteFrom('message_status').where('message_id', '=', row.id).execute();
    await harness.ctx.db.deleteFrom('messages').where('id', '=', row.id).execute();
    expect(await bodiesFor('quotation')).toEqual([]);
  });

  it.each(['(555) 987-6543', '555-987-6543', '+1 555 987 6543', '15559876543', '987-6543'])('finds the conversation and its log rows by the number typed as %s', async (typed) => {
    const conversations = (await api('GET', `/conversations?q=${encodeURIComponent(typed)}`)).json().items as { remoteNumbers: string[] }[];
    expect(conversations.map((c) => c.remoteNumbers[0])).toEqual([CUSTOMER]);
    const rows = (await api('GET', `/messages?q=${encodeURIComponent(typed)}`)).json().items as { from: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((m) => m.from === CUSTOMER)).toBe(true);
  });

  it('follows conversations that are added, renumbered and deleted in the number index', async () => {
    const remotesHolding = async (digits: string) =>
      (await harness.ctx.db.selectFrom('conversations').select('remote_key').where('tenant_id', '=', tenant.tenantId).where(conversationContains(harness.ctx.store.dialect, ['remote_key', 'our_number'], digits)).execute()).map((r) => r.remote_key);
    const id = await findOrCreateConversation(harness.ctx.db, { tenantId: tenant.tenantId, numberId: null, ourNumber: LINE, remotes: ['+15557770123'] });
    expect(await remotesHolding('5557770123')).toEqual(['+15557770123']);
    expect((await remotesHolding('4155550100')).length).toBeGreaterThan(1); // our number, on every conversation of the line
    await harness.ctx.db.updateTable('conversations').set({ remote_key: '+15557770456', remote_numbers: '["+15557770456"]' }).where('id', '=', id).execute();
    expect(await remotesHolding('5557770123')).toEqual([]);
    expect(await remotesHolding('5557770456')).toEqual(['+15557770456']);
    await harness.ctx.db.deleteFrom('conversations').where('id', '=', id).execute();
    expect(await remotesHolding('5557770456')).toEqual([]);
  });

  // Which plan is faster shows only at scale: `npm run bench:scale`.
  it('reads a rare word from the index and a common one along the time order, with the same answer', async () => {
    const newestMatching = async (commonHits: number) => {
      const { message } = await matchWords(harness.ctx.db, harness.ctx.store.dialect, tenant.tenantId, 'parcel', commonHits);
      return harness.ctx.db.selectFrom('messages').select('id').where('tenant_id', '=', tenant.tenantId).where(message).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(10);
    };
    const rare = await newestMatching(1000);
    const common = await newestMatching(1);
    expect((await common.execute()).map((r) => r.id)).toEqual((await rare.execute()).map((r) => r.id));
    expect((await rare.execute()).length).toBe(2);
  });

  it('finds the same conversations along either plan, only in the caller tenant', async () => {
    const remotesMatching = async (who: Tenant, commonHits: number) => {
      const { conversation } = await matchWords(harness.ctx.db, harness.ctx.store.dialect, who.tenantId, 'parcel', commonHits);
      const rows = await harness.ctx.db.selectFrom('conversations').select('remote_key').where('tenant_id', '=', who.tenantId).where(conversation).orderBy('remote_key').execute();
      return rows.map((r) => r.remote_key);
    };
    expect(await remotesMatching(tenant, 1000)).toEqual([OTHER_CUSTOMER, CUSTOMER]);
    expect(await remotesMatching(tenant, 1)).toEqual([OTHER_CUSTOMER, CUSTOMER]);
    expect(await remotesMatching(otherTenant, 1000)).toEqual([OTHER_CUSTOMER]);
    expect(await remotesMatching(otherTenant, 1)).toEqual([OTHER_CUSTOMER]);
  });

  it('pages through a search matching both bodies and a number without repeating or skipping a message', async () => {
    await inbound(OTHER_CUSTOMER, 'call me back at 987 6543 please');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await api('GET', `/messages?q=${encodeURIComponent('987-6543')}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      const json = response.json() as { items: { id: string; from: string; body: string }[]; nextCursor: string | null };
      seen.push(...json.items.map((m) => m.id));
      cursor = json.nextCursor;
    } while (cursor && seen.length < 20);
    const total = (await api('GET', `/messages?q=${encodeURIComponent('987-6543')}&total=true`)).json().total as number;
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(total);
    const all = (await api('GET', `/messages?q=${encodeURIComponent('987-6543')}`)).json().items as { from: string; body: string }[];
    expect(all.some((m) => m.from === OTHER_CUSTOMER && m.body.includes('987 6543'))).toBe(true);
    expect(all.some((m) => m.from === CUSTOMER)).toBe(true);

    // The conversation list runs the number and the words as two queries and merges the pages.
    const conversations: string[] = [];
    cursor = null;
    do {
      const response = await api('GET', `/conversations?q=${encodeURIComponent('987-6543')}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      const json = response.json() as { items: { remoteNumbers: string[] }[]; nextCursor: string | null };
      conversations.push(...json.items.map((c) => c.remoteNumbers[0]!));
      cursor = json.nextCursor;
    } while (cursor && conversations.length < 20);
    expect(conversations.sort()).toEqual([OTHER_CUSTOMER, CUSTOMER]);
  });

  it('reads the body index in the query plan', async () => {
    const { message } = await matchWords(harness.ctx.db, harness.ctx.store.dialect, tenant.tenantId, 'parcel');
    const query = harness.ctx.db.selectFrom('messages').select('id').where(message).compile();
    if (TEST_DATABASE === 'sqlite') {
      const plan = await sql.raw<{ detail: string }>(`explain query plan ${inline(query.sql, query.parameters)}`).execute(harness.ctx.db);
      expect(plan.rows.map((r) => r.detail).join('\n')).toMatch(/VIRTUAL TABLE INDEX \d+:M/);
      return;
    }
    // The test table is tiny, so every index is as cheap to read as any other. In a transaction
    // that is rolled back, the tenant's own indexes go and sequential scans are off: only an
    // index that matches the search expression can then be used.
    const rollBack = new Error('roll back');
    let plan: string[] = [];
    await harness.ctx.db
      .transaction()
      .execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        for (const index of ['messages_tenant_recent', 'messages_idempotency']) await sql`drop index ${sql.ref(index)}`.execute(trx);
        plan = (await sql.raw<{ 'QUERY PLAN': string }>(`explain ${inline(query.sql, query.parameters)}`).execute(trx)).rows.map((r) => r['QUERY PLAN']);
        throw rollBack;
      })
      .catch((error: unknown) => {
        if (error !== rollBack) throw error;
      });
    expect(plan.join('\n')).toMatch(/messages_body_search/);
  });
});

describe('number search through the trigram index', () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await createTestApp({ workers: false });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('reads the conversations\' number index in the query plan', async () => {
    const query = harness.ctx.db.selectFrom('conversations').selectAll().where(conversationContains(harness.ctx.store.dialect, ['remote_key', 'our_number'], '5559876543')).compile();
    if (TEST_DATABASE === 'sqlite') {
      const plan = await sql.raw<{ detail: string }>(`explain query plan ${inline(query.sql, query.parameters)}`).execute(harness.ctx.db);
      expect(plan.rows.map((r) => r.detail).join('\n')).toMatch(/SCAN conversations_search VIRTUAL TABLE INDEX \d+:M/);
      return;
    }
    // pg_trgm ships with PostgreSQL's contrib, which the test server has. The table is empty:
    // without sequential scans, only an index on lower(number) can answer.
    const plan = await harness.ctx.db.connection().execute(async (db) => {
      await sql`set enable_seqscan = off`.execute(db);
      try {
        return await sql.raw<{ 'QUERY PLAN': string }>(`explain ${inline(query.sql, query.parameters)}`).execute(db);
      } finally {
        await sql`reset enable_seqscan`.execute(db);
      }
    });
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/conversations_remote_key_search/);
    expect(text).toMatch(/conversations_our_number_search/);
  });
});

/** The compiled statement with its parameters written in, for EXPLAIN. */
function inline(text: string, parameters: readonly unknown[]): string {
  let index = 0;
  return text.replace(/\?|\$\d+/g, () => `'${String(parameters[index++]).replace(/'/g, "''")}'`);
}
