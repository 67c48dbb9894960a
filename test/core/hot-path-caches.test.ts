/**
 * Issue 11: what every inbound message reads (its webhook account, the number it is for) is
 * cached per node and prepared once. The caches must never outlive a change: a deleted or moved
 * number stops receiving on its old account at once, and new credentials apply to the next webhook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/providers/twilio/twilio.signature.js';
import { PreparedQuery, prepared } from '../../src/db/prepared.js';
import { createAccountAndNumber, createTestApp, createTestTenant, type Tenant, type TestApp } from '../helper.js';

const SID = 'AC' + '7'.repeat(32);
const TOKEN = 'a'.repeat(32);

describe('hot path caches and prepared statements', () => {
  let t: TestApp;
  let tenant: Tenant;
  let sequence = 0;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTestTenant(t.ctx);
  });
  afterAll(() => t.close());

  const inbound = async (webhookUrl: string, to: string, token = TOKEN) => {
    sequence += 1;
    const params: Array<[string, string]> = [['MessageSid', `SM${String(sequence).padStart(32, '0')}`], ['AccountSid', SID], ['From', '+15557770001'], ['To', to], ['Body', `cache ${sequence}`], ['NumMedia', '0']];
    const response = await t.app.inject({
      method: 'POST',
      url: new URL(webhookUrl).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(token, webhookUrl, params) },
      payload: new URLSearchParams(params).toString(),
    });
    return { status: response.statusCode, code: response.statusCode >= 400 ? response.json().error.code : null };
  };

  it('stops taking inbound for a number at once when it is deleted or moved to another account', async () => {
    const first = await createAccountAndNumber(t.app, tenant, { type: 'twilio', credentials: { accountSid: SID, authToken: TOKEN }, number: '+15557770100' });
    const second = await createAccountAndNumber(t.app, tenant, { type: 'twilio', credentials: { accountSid: SID, authToken: TOKEN }, number: '+15557770200' });
    expect(await inbound(first.webhookUrl, '+15557770100')).toEqual({ status: 200, code: null });

    const moved = await t.app.inject({ method: 'PATCH', url: `/api/v1/numbers/${first.numberId}`, headers: tenant.auth, payload: { providerAccountId: second.accountId } });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await inbound(first.webhookUrl, '+15557770100')).toEqual({ status: 404, code: 'unknown_number' });
    expect(await inbound(second.webhookUrl, '+15557770100')).toEqual({ status: 200, code: null });

    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/numbers/${first.numberId}`, headers: tenant.auth });
    expect(deleted.statusCode).toBe(204);
    expect(await inbound(second.webhookUrl, '+15557770100')).toEqual({ status: 404, code: 'unknown_number' });
  });

  it('checks the next webhook with an account’s new credentials, and forgets a deleted account', async () => {
    const account = await createAccountAndNumber(t.app, tenant, { type: 'twilio', credentials: { accountSid: SID, authToken: TOKEN }, number: '+15557770300' });
    expect((await inbound(account.webhookUrl, '+15557770300')).status).toBe(200);
    const newToken = 'b'.repeat(32);
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/provider-accounts/${account.accountId}`, headers: tenant.auth, payload: { credentials: { authToken: newToken } } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await inbound(account.webhookUrl, '+15557770300')).toEqual({ status: 403, code: 'bad_signature' });
    expect((await inbound(account.webhookUrl, '+15557770300', newToken)).status).toBe(200);

    await t.app.inject({ method: 'DELETE', url: `/api/v1/numbers/${account.numberId}`, headers: tenant.auth });
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/v1/provider-accounts/${account.accountId}`, headers: tenant.auth });
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await inbound(account.webhookUrl, '+15557770300', newToken)).toEqual({ status: 404, code: 'unknown_account' });
  });

  it('sends and routing see a number change at once: deleted, added again, turned into a notification number', async () => {
    const made = await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: '+15557770600' });
    const send = () => t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: '+15557770600', to: '+15557779999', body: 'hi' } });
    expect((await send()).statusCode).toBe(202);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/numbers/${made.numberId}`, headers: tenant.auth })).statusCode).toBe(204);
    const refused = await send();
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('from_not_owned');

    const again = await t.app.inject({ method: 'POST', url: '/api/v1/numbers', headers: tenant.auth, payload: { number: '+15557770600', providerAccountId: made.accountId } });
    expect(again.statusCode, again.body).toBe(201);
    const sent = await send();
    expect(sent.statusCode).toBe(202);
    const stored = await t.ctx.db.selectFrom('messages').select('number_id').where('id', '=', sent.json().id).executeTakeFirstOrThrow();
    expect(stored.number_id).toBe(again.json().id);

    // Routing read the number for the inbound text; as a notification number it answers "not monitored".
    const inboundText = async (body: string) => {
      const row = await t.ctx.db.selectFrom('messages').select('id').where('number_id', '=', again.json().id).where('direction', '=', 'inbound').where('body', '=', body);
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: tenant.auth, payload: { to: '+15557770600', from: '+15557778888', body } });
      expect(response.statusCode, response.body).toBeLessThan(300);
      await t.ctx.queue.drain();
      return row.executeTakeFirst();
    };
    const replies = () => t.ctx.db.selectFrom('messages').select('id').where('number_id', '=', again.json().id).where('direction', '=', 'outbound').where('to_numbers', 'like', '%7778888%').execute();
    expect(await inboundText('before')).toBeDefined();
    expect(await replies()).toHaveLength(0);
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/numbers/${again.json().id}`, headers: tenant.auth, payload: { systemNotification: true } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await inboundText('after')).toBeDefined();
    expect(await replies()).toHaveLength(1);
  });

  it('binds each call’s values into one compiled statement, keeps constants, and refuses a missing value', async () => {
    const byNumber = prepared<{ tenantId: string; number: string }>()((db, p) => db.selectFrom('numbers').select(['number', 'mps']).where('tenant_id', '=', p.tenantId).where('number', '=', p.number).where('system_notification', '=', 0));
    expect(byNumber).toBeInstanceOf(PreparedQuery);
    await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: '+15557770400', mps: 3 });
    await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: '+15557770500', mps: 5 });
    expect(await byNumber.rows(t.ctx.db, { tenantId: tenant.tenantId, number: '+15557770400' })).toEqual([{ number: '+15557770400', mps: 3 }]);
    // Same statement, other values, inside a transaction.
    const inTransaction = await t.ctx.db.transaction().execute((trx) => byNumber.first(trx, { tenantId: tenant.tenantId, number: '+15557770500' }));
    expect(inTransaction).toEqual({ number: '+15557770500', mps: 5 });
    expect(await byNumber.first(t.ctx.db, { tenantId: 'tn_other', number: '+15557770500' })).toBeUndefined();
    await expect(byNumber.rows(t.ctx.db, { tenantId: tenant.tenantId } as never)).rejects.toThrow(/no value for "number"/);
  });

  it('writes inside a transaction belong to it (rolled back with it) and report affected rows and the new id as Kysely does', async () => {
    const addLog = prepared<{ at: string; note: string }>()((db, p) =>
      db.insertInto('webhook_log').values({ provider_type: 'prepared-test', method: 'POST', url: p.note, remote_ip: null, created_at: p.at, tenant_id: null, provider_account_id: null, verdict: 'accepted', reason: null, http_status: 200, transport: 'webhook' }),
    );
    const rename = prepared<{ from: string; to: string }>()((db, p) => db.updateTable('webhook_log').set({ url: p.to }).where('provider_type', '=', 'prepared-test').where('url', '=', p.from));
    const count = () => t.ctx.db.selectFrom('webhook_log').select('url').where('provider_type', '=', 'prepared-test').execute();
    const at = new Date().toISOString();

    const inserted = await t.ctx.db.transaction().execute(async (trx) => {
      const first = await addLog.execute(trx, { at, note: 'kept' });
      const second = await addLog.execute(trx, { at, note: 'kept' });
      return { first, second, renamed: await rename.execute(trx, { from: 'kept', to: 'renamed' }), missed: await rename.execute(trx, { from: 'nowhere', to: 'x' }) };
    });
    expect(Number(inserted.first.numAffectedRows)).toBe(1);
    expect(Number(inserted.renamed.numAffectedRows)).toBe(2);
    expect(Number(inserted.missed.numAffectedRows)).toBe(0);
    if (t.ctx.store.dialect === 'sqlite') expect(Number(inserted.second.insertId)).toBe(Number(inserted.first.insertId) + 1);
    expect(await count()).toEqual([{ url: 'renamed' }, { url: 'renamed' }]);

    await expect(
      t.ctx.db.transaction().execute(async (trx) => {
        await addLog.execute(trx, { at, note: 'rolled back' });
        expect((await trx.selectFrom('webhook_log').select('url').where('url', '=', 'rolled back').execute()).length).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await count()).toEqual([{ url: 'renamed' }, { url: 'renamed' }]);
  });

  it('a prepared read outside a transaction never sees what an open transaction has not committed', async () => {
    const addLog = prepared<{ at: string; note: string }>()((db, p) =>
      db.insertInto('webhook_log').values({ provider_type: 'prepared-open', method: 'POST', url: p.note, remote_ip: null, created_at: p.at, tenant_id: null, provider_account_id: null, verdict: 'accepted', reason: null, http_status: 200, transport: 'webhook' }),
    );
    const byNote = prepared<{ note: string }>()((db, p) => db.selectFrom('webhook_log').select('url').where('provider_type', '=', 'prepared-open').where('url', '=', p.note));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const open = t.ctx.db.transaction().execute(async (trx) => {
      await addLog.execute(trx, { at: new Date().toISOString(), note: 'uncommitted' });
      written();
      await held;
      throw new Error('roll back');
    });
    await wrote;
    const read = byNote.rows(t.ctx.db, { note: 'uncommitted' });
    release();
    await expect(open).rejects.toThrow('roll back');
    expect(await read).toEqual([]);
  });
});
