/**
 * SMPP end to end against the local SMSC emulator (smpp.emulator.ts, the `smpp` package's server):
 * bind state, sends with receipts, long UCS-2, MO single and concatenated, duplicates, bad PDUs,
 * wrong password, throttling and refusals, a link dropped in the middle of a full window, the cap on
 * resending a submit whose response was lost with the link.
 */
import { sql } from 'kysely';
import smpp from 'smpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap.js';
import { startSmscEmulator, type SmscEmulator } from '../../src/providers/smpp/smpp.emulator.js';
import type { SmppHost } from '../../src/providers/smpp/smpp.host.js';
import { MAX_RESENDS_AFTER_DROP } from '../../src/providers/smpp/smpp.link.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const NUMBER = '+15550100200';
const credentials = (port: number, extra: Record<string, string> = {}) => ({
  host: '127.0.0.1',
  port: String(port),
  systemId: 'switchboard',
  password: 'secret1',
  enquireLinkSeconds: '1',
  reconnectSeconds: '1',
  windowSize: '10',
  throughput: '500',
  ...extra,
});

describe('SMPP carrier (type smpp)', () => {
  let harness: TestApp;
  let tenant: Tenant;
  let smsc: SmscEmulator;
  let accountId: string;

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => harness.app.inject({ method, url: `/api/v1${url}`, headers: tenant.auth, payload: payload as object });
  const host = () => harness.ctx.sessions.host('smpp') as SmppHost;
  const send = async (body: string, to = '+15557770001') => {
    const response = await api('POST', '/messages', { from: NUMBER, to, body });
    expect(response.statusCode, response.body).toBe(202);
    return response.json().id as string;
  };
  const message = async (id: string) => (await api('GET', `/messages/${id}`)).json();
  const untilStatus = (id: string, status: string, timeoutMs = 8000) => eventually(async () => ((await message(id)).status === status ? message(id) : null), timeoutMs);
  const inbound = async () => (await harness.ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'inbound').where('provider_account_id', '=', accountId).orderBy('created_at').execute());
  const bound = (id = accountId) => eventually(async () => (await host().state(id))?.state === 'bound', 8000);

  beforeAll(async () => {
    harness = await createTestApp();
    tenant = await createTestTenant(harness.ctx);
    smsc = await startSmscEmulator({ systemId: 'switchboard', password: 'secret1', logins: { paced: 'pw2' }, receiptDelayMs: 5 });
    host().timing = { scanMs: 100, leaseMs: 1500, outboxPollMs: 25 };
    harness.ctx.sessions.start();
    ({ accountId } = await createAccountAndNumber(harness.app, tenant, { type: 'smpp', credentials: credentials(smsc.port), number: NUMBER, mps: 0 }));
    await bound();
  });
  afterAll(async () => {
    await harness.close();
    await smsc.close();
  });

  it('binds when the account is created and shows the live state in the provider-account answer', async () => {
    const account = (await api('GET', `/provider-accounts/${accountId}`)).json();
    expect(account.session).toMatchObject({ state: 'bound', lastError: null, node: host().node });
    expect(Date.parse(account.session.since)).toBeGreaterThan(0);
    expect((await api('GET', '/provider-accounts')).json().items.find((a: { id: string }) => a.id === accountId).session.state).toBe('bound');
    expect(smsc.binds).toBeGreaterThanOrEqual(1);
  });

  it('refuses unusable settings with a 400 naming the field', async () => {
    for (const [extra, field] of [
      [{ port: 'abc' }, 'credentials.port'],
      [{ windowSize: '0' }, 'credentials.windowSize'],
      [{ host: 'smsc.example.com/path' }, 'credentials.host'],
      [{ password: 'longer-than-8' }, 'credentials.password'],
      [{ bindMode: 'sideways' }, 'credentials.bindMode'],
    ] as const) {
      const response = await api('POST', '/provider-accounts', { type: 'smpp', name: 'bad', credentials: credentials(2775, extra) });
      expect(response.statusCode, JSON.stringify(extra)).toBe(400);
      expect(response.json().error.message).toContain(field);
    }
  });

  it('refuses to connect to a private address the operator has not allowed', async () => {
    const created = await api('POST', '/provider-accounts', { type: 'smpp', name: 'internal', credentials: credentials(2775, { host: '10.1.2.3' }) });
    expect(created.statusCode).toBe(201);
    const state = await eventually(async () => {
      const session = (await api('GET', `/provider-accounts/${created.json().id}`)).json().session;
      return session?.state === 'disconnected' && session.lastError ? session : null;
    });
    expect(state.lastError).toMatch(/10\.1\.2\.3 is a private or loopback address/);
    expect((await api('DELETE', `/provider-accounts/${created.json().id}`)).statusCode).toBe(204);
  });

  it('sends GSM-7 as one submit_sm (data_coding 0, international TON/NPI, receipt requested) and reaches delivered through the receipt', async () => {
    const before = smsc.submits.length;
    const id = await send('Your table is ready {2}');
    const done = await untilStatus(id, 'delivered');
    const submit = smsc.submits[before]!;
    expect(submit).toMatchObject({ source: '15550100200', sourceTon: 1, destination: '15557770001', dataCoding: 0, text: 'Your table is ready {2}', udh: null });
    expect(done.providerMessageId).toBe(submit.messageId.toLowerCase());
    expect(done.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
  });

  it('sends a 300-character UCS-2 text as 5 UDH parts and is delivered only once every part is', async () => {
    smsc['options'].receiptDelayMs = null;
    try {
      const before = smsc.submits.length;
      const text = 'Привет! '.repeat(38).slice(0, 300);
      const id = await send(text);
      const sent = await untilStatus(id, 'sent');
      const parts = smsc.submits.slice(before);
      expect(parts).toHaveLength(5);
      expect(parts.every((p) => p.dataCoding === 8 && (p.esmClass & 0x40) === 0x40 && p.udh?.[0]?.[0] === 0x00)).toBe(true);
      expect(parts.map((p) => p.text).join('')).toBe(text);
      const rows = await harness.ctx.db.selectFrom('message_parts').selectAll().where('message_id', '=', id).orderBy('part_number').execute();
      expect(rows.map((r) => r.provider_message_id)).toEqual(parts.map((p) => p.messageId.toLowerCase()));
      expect(sent.providerMessageId).toBe(rows[0]!.provider_message_id);
      // Receipts in any order; four of five leave it `sent`.
      for (const part of [parts[3]!, parts[0]!, parts[4]!, parts[1]!]) expect(await smsc.sendReceipt(part.messageId)).toBe(0);
      expect((await message(id)).status).toBe('sent');
      expect(await smsc.sendReceipt(parts[2]!.messageId)).toBe(0);
      const done = await untilStatus(id, 'delivered');
      expect(done.history.filter((h: { status: string }) => h.status === 'delivered')).toHaveLength(1);
    } finally {
      smsc['options'].receiptDelayMs = 5;
    }
  });

  it('fails a multi-part message whose part is undeliverable, naming the part', async () => {
    smsc['options'].receiptDelayMs = null;
    try {
      const before = smsc.submits.length;
      const id = await send('x'.repeat(200));
      await untilStatus(id, 'sent');
      const parts = smsc.submits.slice(before);
      expect(parts).toHaveLength(2);
      expect(await smsc.sendReceipt(parts[0]!.messageId)).toBe(0);
      expect(await smsc.sendReceipt(parts[1]!.messageId, 'UNDELIV', '011')).toBe(0);
      const done = await untilStatus(id, 'undelivered');
      expect(done.error).toMatchObject({ code: '011' });
    } finally {
      smsc['options'].receiptDelayMs = 5;
    }
  });

  it('matches receipts that carry the id in decimal (receiptIdFormat decimal, text-only receipts)', async () => {
    const decimalSmsc = await startSmscEmulator({ systemId: 'dec', password: 'pw', receiptDelayMs: 5, receiptStyle: 'text', receiptIds: 'decimal' });
    try {
      const other = await createAccountAndNumber(harness.app, tenant, { type: 'smpp', credentials: credentials(decimalSmsc.port, { systemId: 'dec', password: 'pw', receiptIdFormat: 'decimal' }), number: '+15550100299', mps: 0 });
      await bound(other.accountId);
      const response = await api('POST', '/messages', { from: '+15550100299', to: '+15557770002', body: 'decimal receipts' });
      expect(response.statusCode).toBe(202);
      await untilStatus(response.json().id, 'delivered');
      await harness.ctx.db.deleteFrom('numbers').where('provider_account_id', '=', other.accountId).execute();
      expect((await api('DELETE', `/provider-accounts/${other.accountId}`)).statusCode).toBe(204);
    } finally {
      await decimalSmsc.close();
    }
  });

  it('stores MO messages (GSM-7 and UCS-2) in the inbox with an smpp diagnostics entry, and a redelivery once', async () => {
    expect(await smsc.sendMo({ from: '+15557770010', to: NUMBER, text: 'Is the shop open @ 9?' })).toEqual([0]);
    expect(await smsc.sendMo({ from: '+15557770011', to: NUMBER, text: 'Привет, мир 👋', encoding: 'ucs2' })).toEqual([0]);
    // The SMSC did not get our answer and delivers the same MO again.
    expect(await smsc.sendMo({ from: '+15557770010', to: NUMBER, text: 'Is the shop open @ 9?' })).toEqual([0]);
    const rows = await inbound();
    expect(rows.map((r) => [r.from_number, r.body])).toEqual(
      expect.arrayContaining([
        ['+15557770010', 'Is the shop open @ 9?'],
        ['+15557770011', 'Привет, мир 👋'],
      ]),
    );
    expect(rows.filter((r) => r.body === 'Is the shop open @ 9?')).toHaveLength(1);
    const log = await harness.ctx.db.selectFrom('webhook_log').selectAll().where('provider_account_id', '=', accountId).where('method', '=', 'deliver_sm').orderBy('id').execute();
    expect(log.every((row) => row.transport === 'smpp')).toBe(true);
    expect(log.map((row) => row.verdict)).toContain('duplicate');
    const conversation = await eventually(async () => (await api('GET', '/conversations')).json().items.find((c: { lastMessage: { body: string } | null }) => c.lastMessage?.body === 'Привет, мир 👋'));
    expect(conversation).toBeTruthy();
  });

  it('reassembles concatenated MO (UDH out of order, SAR TLVs, UCS-2) into one message; a late duplicate part adds nothing', async () => {
    const long = 'This is a long message that needs more than one hundred and sixty GSM characters, so the phone split it into parts; the SMSC delivers them one by one!';
    const longer = `${long} ${long}`;
    expect(await smsc.sendMo({ from: '+15557770020', to: NUMBER, text: longer, order: [2, 1], reference: 7 })).toEqual([0, 0]);
    expect(await smsc.sendMo({ from: '+15557770021', to: NUMBER, text: longer, concatenation: 'sar', reference: 300 })).toEqual([0, 0]);
    const ucs = 'Ünïcödé ✓ '.repeat(12);
    expect(await smsc.sendMo({ from: '+15557770022', to: NUMBER, text: ucs, encoding: 'ucs2', reference: 9 })).toEqual([0, 0]);
    // Part 1 of the first message again, after it was stored.
    expect(await smsc.sendMo({ from: '+15557770020', to: NUMBER, text: longer, order: [1], reference: 7 })).toEqual([0]);
    const rows = await inbound();
    expect(rows.filter((r) => r.from_number === '+15557770020').map((r) => r.body)).toEqual([longer]);
    expect(rows.filter((r) => r.from_number === '+15557770021').map((r) => r.body)).toEqual([longer]);
    expect(rows.filter((r) => r.from_number === '+15557770022').map((r) => r.body)).toEqual([ucs]);
    const waiting = await harness.ctx.db.selectFrom('smpp_mo_parts').selectAll().where('part_number', '>', 0).execute();
    expect(waiting).toHaveLength(0);
  });

  it('stores a concatenated MO whose last part never comes after the reassembly timeout, with the gap marked', async () => {
    const text = 'a'.repeat(153) + 'b'.repeat(153) + 'c'.repeat(20);
    expect(await smsc.sendMo({ from: '+15557770030', to: NUMBER, text, order: [1, 3], reference: 42 })).toEqual([0, 0]);
    expect((await inbound()).some((r) => r.from_number === '+15557770030')).toBe(false);
    await harness.ctx.db.updateTable('smpp_mo_parts').set({ created_at: new Date(Date.now() - 400_000).toISOString() }).where('group_key', 'like', '+15557770030|%').execute();
    await host().session(accountId)!.sweep();
    const stored = (await inbound()).filter((r) => r.from_number === '+15557770030');
    expect(stored.map((r) => r.body)).toEqual(['a'.repeat(153) + '[…]' + 'c'.repeat(20)]);
  });

  it('applies a repeated receipt once', async () => {
    smsc['options'].receiptDelayMs = null;
    try {
      const before = smsc.submits.length;
      const id = await send('receipt twice');
      await untilStatus(id, 'sent');
      const part = smsc.submits[before]!;
      expect(await smsc.sendReceipt(part.messageId)).toBe(0);
      expect(await smsc.sendReceipt(part.messageId)).toBe(0);
      const done = await untilStatus(id, 'delivered');
      expect(done.history.filter((h: { status: string }) => h.status === 'delivered')).toHaveLength(1);
    } finally {
      smsc['options'].receiptDelayMs = 5;
    }
  });

  it('answers bad deliver_sm with an error status and keeps the bind; garbage bytes cost a reconnect, never the process', async () => {
    expect(await smsc.deliver({ source_addr: '0', destination_addr: '0', esm_class: 0x04, short_message: Buffer.from('no id here') })).toBe(smpp.errors.ESME_RX_P_APPN);
    expect(await smsc.deliver({ source_addr: '0', destination_addr: '0', esm_class: 0x04, short_message: Buffer.from('id:ABC stat:NONSENSE err:000') })).toBe(smpp.errors.ESME_RX_P_APPN);
    expect(await smsc.deliver({ source_addr: '15557770040', source_addr_ton: 1, destination_addr: '15550009999', dest_addr_ton: 1, esm_class: 0, short_message: Buffer.from('to a number we do not have') })).toBe(smpp.errors.ESME_RINVDSTADR);
    expect(await smsc.deliver({ source_addr: '', destination_addr: '15550100200', esm_class: 0, short_message: Buffer.from('no sender') })).toBe(smpp.errors.ESME_RX_P_APPN);
    expect(await smsc.deliver({ source_addr: '15557770041', source_addr_ton: 1, destination_addr: '15550100200', dest_addr_ton: 1, esm_class: 0x40, short_message: Buffer.from([0x05, 0x00, 0x03, 1, 2, 3, 0x41]) })).toBe(smpp.errors.ESME_RX_P_APPN);
    expect((await host().state(accountId))?.state).toBe('bound');
    const refused = await harness.ctx.db.selectFrom('webhook_log').selectAll().where('provider_account_id', '=', accountId).where('verdict', '=', 'refused').execute();
    expect(refused.map((r) => r.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/^malformed: delivery receipt without/), expect.stringMatching(/^unknown_number: /)]));
    const binds = smsc.binds;
    // An unknown command, then bytes that are no PDU at all.
    smsc.sendRaw(Buffer.from([0, 0, 0, 16, 0x00, 0x00, 0x07, 0x77, 0, 0, 0, 0, 0, 0, 0, 9]));
    smsc.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]));
    await eventually(async () => smsc.binds > binds, 8000);
    await bound();
    const id = await send('still here');
    await untilStatus(id, 'delivered');
  });

  it('retries throttled submits (ESME_RTHROTTLED, ESME_RMSGQFUL) and fails refused ones with the code and its name', async () => {
    smsc.refuseNext.push(smpp.errors.ESME_RTHROTTLED!, smpp.errors.ESME_RMSGQFUL!);
    const throttled = await send('slow down');
    await untilStatus(throttled, 'delivered');
    expect(smsc.refuseNext).toHaveLength(0);
    smsc.refuseNext.push(smpp.errors.ESME_RINVDSTADR!);
    const refused = await send('bad destination');
    const failed = await untilStatus(refused, 'failed');
    expect(failed.error.code).toBe('ESME_RINVDSTADR');
    expect(failed.error.message).toContain('0x0000000b');
  });

  it('loses nothing when the link drops with a full window: unanswered submits are resent after the rebind', async () => {
    smsc.holdResponses = true;
    smsc.heldSubmits = 0;
    const before = smsc.submits.length;
    const ids = await Promise.all(Array.from({ length: 15 }, (_, i) => send(`window ${i}`)));
    // The window (10) is enforced: the 11th submit waits for a response that never comes.
    await eventually(async () => smsc.heldSubmits === 10, 8000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smsc.heldSubmits).toBe(10);
    smsc.holdResponses = false;
    smsc.resetOutstanding();
    smsc.dropLinks();
    await Promise.all(ids.map((id) => untilStatus(id, 'delivered', 15_000)));
    const accepted = smsc.submits.slice(before).map((s) => s.text);
    // Every message accepted exactly once after the rebind; the 10 held copies were never answered.
    expect(accepted.sort()).toEqual(Array.from({ length: 15 }, (_, i) => `window ${i}`).sort());
  });

  it(`resends a submit the SMSC took but never answered at most ${MAX_RESENDS_AFTER_DROP} times across dropped links, then leaves its outcome unknown`, async () => {
    smsc.swallowResponses = true;
    try {
      const copies = () => smsc.submits.filter((s) => s.text === 'answer lost').length;
      const id = await send('answer lost');
      // Each copy reaches the SMSC, which keeps it; its submit_sm_resp never comes and the link dies.
      for (let written = 1; written <= MAX_RESENDS_AFTER_DROP + 1; written += 1) {
        await eventually(async () => copies() === written, 8000);
        smsc.dropLinks();
      }
      const row = await eventually(async () => {
        const m = await harness.ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return m.error_code === 'outcome_unknown' ? m : null;
      }, 8000);
      expect(row.status).toBe('sending');
      expect(row.error_message).toContain(`the link dropped ${MAX_RESENDS_AFTER_DROP + 1} times before the SMSC answered`);
      // Rebound after the last drop, and still not written again: neither by the link nor by the job.
      const binds = smsc.binds;
      await eventually(async () => smsc.binds > binds, 8000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(copies()).toBe(MAX_RESENDS_AFTER_DROP + 1);
      expect((await message(id)).status).toBe('sending');
    } finally {
      smsc.swallowResponses = false;
    }
  });

  it('shows a wrong password as the account error and retries with backoff, not in a loop', async () => {
    const refusedBefore = smsc.refusedBinds;
    const wrong = await api('POST', '/provider-accounts', { type: 'smpp', name: 'wrong password', credentials: credentials(smsc.port, { password: 'nope' }) });
    expect(wrong.statusCode).toBe(201);
    // Not bound yet, but a session account from the start: the dashboard shows no webhook URLs for it.
    expect(wrong.json().session).toMatchObject({ state: 'binding', lastError: null });
    const id = wrong.json().id as string;
    const state = await eventually(async () => {
      const s = await host().state(id);
      return s?.state === 'disconnected' && s.lastError?.includes('ESME_RINVPASWD') ? s : null;
    }, 8000);
    expect(state.lastError).toMatch(/bind refused: ESME_RINVPASWD/);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // Backoff from 1 s doubling (with jitter): a handful of attempts in ~3 s, not hundreds.
    expect(smsc.refusedBinds - refusedBefore).toBeGreaterThanOrEqual(2);
    expect(smsc.refusedBinds - refusedBefore).toBeLessThanOrEqual(5);
    // Fixing the password rebinds.
    expect((await api('PATCH', `/provider-accounts/${id}`, { credentials: { password: 'secret1' } })).statusCode).toBe(200);
    await bound(id);
    // Deleting the account unbinds cleanly.
    const unbinds = smsc.unbinds;
    expect((await api('DELETE', `/provider-accounts/${id}`)).statusCode).toBe(204);
    await eventually(async () => smsc.unbinds > unbinds, 8000);
  });

  it('answers a temporary error when the store fails, so the SMSC redelivers; the redelivery is stored once', async () => {
    const mo = { source_addr: '15557770050', source_addr_ton: 1, destination_addr: '15550100200', dest_addr_ton: 1, esm_class: 0, short_message: Buffer.from('stored after a failure') };
    await sql`alter table webhook_log rename to webhook_log_moved`.execute(harness.ctx.db);
    try {
      expect(await smsc.deliver(mo)).toBe(smpp.errors.ESME_RX_T_APPN);
    } finally {
      await sql`alter table webhook_log_moved rename to webhook_log`.execute(harness.ctx.db);
    }
    expect((await inbound()).filter((r) => r.from_number === '+15557770050')).toHaveLength(0);
    expect(await smsc.deliver(mo)).toBe(0);
    expect(await smsc.deliver(mo)).toBe(0);
    expect((await inbound()).filter((r) => r.from_number === '+15557770050').map((r) => r.body)).toEqual(['stored after a failure']);
  });

  it('paces submits at the account throughput and works as a transmitter + receiver pair', async () => {
    const paced = await createAccountAndNumber(harness.app, tenant, { type: 'smpp', credentials: credentials(smsc.port, { systemId: 'paced', password: 'pw2', throughput: '20', bindMode: 'transmitter_receiver' }), number: '+15550100298', mps: 0 });
    await bound(paced.accountId);
    expect(host().session(paced.accountId)!.links.map((l) => l.bindType)).toEqual(['transmitter', 'receiver']);
    const before = smsc.submits.length;
    const ids: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const response = await api('POST', '/messages', { from: '+15550100298', to: '+15557770003', body: `paced ${i}` });
      ids.push(response.json().id);
    }
    // Receipts come back over the receiver bind.
    await Promise.all(ids.map((id) => untilStatus(id, 'delivered')));
    const times = smsc.submits.slice(before).map((s) => s.at);
    expect(times).toHaveLength(10);
    // 20/s: ten submits span at least 9 intervals of 50 ms.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(9 * 50 - 20);
  });

  it('refuses webhooks for an SMPP account', async () => {
    const response = await harness.app.inject({ method: 'POST', url: `/webhook/smpp/sms/${accountId}`, payload: {} });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
  });
});

describe('SMPP account from the environment (F6)', () => {
  it('loads SMPP_* variables as the environment account and binds it', async () => {
    const smsc = await startSmscEmulator({ systemId: 'envesme', password: 'envpw' });
    const harness = await createTestApp({ env: { SMPP_HOST: '127.0.0.1', SMPP_PORT: String(smsc.port), SMPP_SYSTEM_ID: 'envesme', SMPP_PASSWORD: 'envpw', SMPP_WINDOW_SIZE: '5', SMPP_RECEIPT_ID_FORMAT: 'hex' } });
    try {
      await bootstrap(harness.ctx);
      const host = harness.ctx.sessions.host('smpp') as SmppHost;
      host.timing = { scanMs: 100, leaseMs: 1500, outboxPollMs: 25 };
      harness.ctx.sessions.start();
      await eventually(async () => (await host.state('env_smpp'))?.state === 'bound', 8000);
      expect(host.session('env_smpp')!.config).toMatchObject({ systemId: 'envesme', windowSize: 5, receiptIdFormat: 'hex' });
      expect(smsc.binds).toBe(1);
    } finally {
      await harness.close();
      await smsc.close();
    }
    // Shutdown unbinds cleanly.
    expect(smsc.unbinds).toBe(1);
  });
});
