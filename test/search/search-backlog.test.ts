/**
 * SQLite: messages reach the word index in batches after commit (migration 0017). A search still
 * finds every committed message, and edits and deletes of messages still waiting, or of rowids
 * SQLite hands out again, leave the index exactly matching the messages (FTS5 integrity-check).
 */
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, MessageTable } from '../../src/db/schema.js';
import { catchUpMessageSearch, INDEX_BATCH } from '../../src/db/message-search-backlog.js';
import { migratorFor } from '../../src/db/client.js';
import { matchWords } from '../../src/db/text-search.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, TEST_DATABASE, type Tenant, type TestApp } from '../helper.js';

const LINE = '+14155550100';

describe.skipIf(TEST_DATABASE !== 'sqlite')('the word index backlog (SQLite)', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let template: MessageTable;
  let sequence = 0;

  const waiting = async () => Number((await sql<{ n: number }>`select count(*) as n from messages_fts_backlog`.execute(harness.ctx.db)).rows[0]!.n);
  const found = async (text: string) => {
    const { message } = await matchWords(harness.ctx.db, 'sqlite', tenant.tenantId, text);
    return (await harness.ctx.db.selectFrom('messages').select('body').where('tenant_id', '=', tenant.tenantId).where(message).execute()).map((m) => m.body).sort();
  };
  const insert = async (trx: Transaction<Database>, body: string) => {
    const id = `msg_backlog_${(sequence += 1)}`;
    await trx.insertInto('messages').values({ ...template, id, body, provider_message_id: id }).execute();
    return id;
  };
  const rowid = async (id: string) => (await sql<{ rowid: number }>`select rowid from messages where id = ${id}`.execute(harness.ctx.db)).rows[0]?.rowid;
  const remove = (trx: Transaction<Database>, id: string) => trx.deleteFrom('messages').where('id', '=', id).execute();
  const integrityCheck = () => sql`insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)`.execute(harness.ctx.db);

  beforeAll(async () => {
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    await createAccountAndNumber(harness.app, tenant, { type: 'sandbox', number: LINE });
    const response = await harness.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: tenant.auth, payload: { from: '+15559876543', to: LINE, body: 'first hello' } });
    expect(response.statusCode).toBe(202);
    template = await harness.ctx.db.selectFrom('messages').selectAll().where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
  });
  afterAll(() => harness.close());

  it('leaves indexing to the background, which empties the backlog without any search', async () => {
    await harness.ctx.db.transaction().execute((trx) => insert(trx, 'waiting walrus'));
    await eventually(async () => (await waiting()) === 0, 3000);
    expect(await found('walrus')).toEqual(['waiting walrus']);
  });

  it('finds a message committed a moment ago, before the background has indexed it', async () => {
    await harness.ctx.db.transaction().execute((trx) => insert(trx, 'fresh falcon'));
    expect(await found('falcon')).toEqual(['fresh falcon']);
    expect(await waiting()).toBe(0);
  });

  it('follows edits and deletes of messages still waiting and of messages already indexed', async () => {
    const indexedId = await harness.ctx.db.transaction().execute((trx) => insert(trx, 'indexed iguana'));
    await catchUpMessageSearch(harness.ctx.db);
    await harness.ctx.db.transaction().execute(async (trx) => {
      const edited = await insert(trx, 'typo tapir');
      await trx.updateTable('messages').set({ body: 'fixed tapir' }).where('id', '=', edited).execute();
      await remove(trx, await insert(trx, 'gone gazelle'));
      await trx.updateTable('messages').set({ body: 'renamed iguana' }).where('id', '=', indexedId).execute();
    });
    expect(await found('tapir')).toEqual(['fixed tapir']);
    expect(await found('typo')).toEqual([]);
    expect(await found('gazelle')).toEqual([]);
    expect(await found('indexed')).toEqual([]);
    expect(await found('iguana')).toEqual(['renamed iguana']);
    await integrityCheck();
    await harness.ctx.db.transaction().execute((trx) => remove(trx, indexedId));
    expect(await found('iguana')).toEqual([]);
    await catchUpMessageSearch(harness.ctx.db);
    await integrityCheck();
  });

  it('indexes a message that takes the rowid of a deleted one, indexed or not', async () => {
    for (const indexFirst of [true, false]) {
      const old = await harness.ctx.db.transaction().execute((trx) => insert(trx, `old otter ${indexFirst}`));
      if (indexFirst) await catchUpMessageSearch(harness.ctx.db);
      const oldRowid = await rowid(old);
      const fresh = await harness.ctx.db.transaction().execute(async (trx) => {
        await remove(trx, old);
        return insert(trx, `new newt ${indexFirst}`);
      });
      // SQLite gives the highest rowid again once its row is gone.
      expect(await rowid(fresh)).toBe(oldRowid);
      expect(await found('otter')).toEqual([]);
      expect(await found(`newt ${indexFirst}`)).toEqual([`new newt ${indexFirst}`]);
      await integrityCheck();
    }
  });

  it('catches up a backlog larger than one batch before a search', async () => {
    const stop = INDEX_BATCH * 2 + 7;
    await harness.ctx.db.transaction().execute(async (trx) => {
      for (let n = 0; n < stop; n += 1) await insert(trx, `bulk bison ${n}`);
    });
    expect((await found('bison')).length).toBe(stop);
    expect(await waiting()).toBe(0);
    await integrityCheck();
  });

  it('indexes the waiting messages when migrated back down, and waits again when migrated up', async () => {
    await harness.ctx.db.transaction().execute((trx) => insert(trx, 'downward dolphin'));
    const migrator = await migratorFor(harness.ctx.store);
    await harness.ctx.queue.stop();
    const down = await migrator.migrateTo('0016_send_dispatches');
    expect(down.error).toBeUndefined();
    // Back on 0011's triggers: the waiting message was indexed, and a new one is indexed as it is written.
    await harness.ctx.db.transaction().execute((trx) => insert(trx, 'triggered tiger'));
    const hits = async (word: string) => (await sql<{ n: number }>`select count(*) as n from messages_fts where messages_fts match ${word}`.execute(harness.ctx.db)).rows[0]!.n;
    expect(await hits('dolphin')).toBe(1);
    expect(await hits('tiger')).toBe(1);
    await integrityCheck();
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    const backlogged = await harness.ctx.db.transaction().execute(async (trx) => {
      const id = await insert(trx, 'upward urchin');
      return (await sql<{ n: number }>`select count(*) as n from messages_fts_backlog where message_rowid = (select rowid from messages where id = ${id})`.execute(trx)).rows[0]!.n;
    });
    expect(backlogged).toBe(1);
    expect(await found('urchin')).toEqual(['upward urchin']);
    expect(await found('tiger')).toEqual(['triggered tiger']);
    await integrityCheck();
  });
});
