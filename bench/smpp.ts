/**
 * Benchmark: SMPP submit throughput and MO ingest at a window of 10, through the local SMSC
 * emulator, next to the same run's bare numbers: a bare `smpp` client doing the same PDU round
 * trips against the same emulator with no database. Switchboard, the emulator and the bare client
 * share this one process (and event loop) in both measurements, so the ratio compares like with
 * like. Every count is checked against the database at the end.
 *
 * BENCH_MESSAGES (default 2000), DATABASE_URL (default a fresh SQLite file).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import smpp, { type PDU } from 'smpp';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/env.js';
import { createContext } from '../src/context.js';
import { registerJobs } from '../src/jobs/index.js';
import { startSmscEmulator, type SmscEmulator } from '../src/providers/smpp/smpp.emulator.js';
import type { SmppHost } from '../src/providers/smpp/smpp.host.js';
import { createApiKey, createTenant } from '../src/services/tenants.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const WINDOW = 10;
const NUMBER = '+15550107000';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('benchmark step timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** `count` operations with at most WINDOW outstanding; resolves with operations per second. */
async function windowed(count: number, one: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

async function bareClient(smsc: SmscEmulator): Promise<{ submit: number; mo: number }> {
  const session = new smpp.Session({ host: '127.0.0.1', port: smsc.port });
  await new Promise<void>((resolve) => session.on('connect', resolve));
  await new Promise<void>((resolve) => session.send(new smpp.PDU('bind_transceiver', { system_id: 'bench', password: 'pw' }), () => resolve()));
  // The bare client answers deliver_sm at once.
  session.on('deliver_sm', (pdu: PDU) => session.send(pdu.response()));
  const submit = await windowed(MESSAGES, (i) => new Promise((resolve) => session.send(new smpp.PDU('submit_sm', { source_addr: '15550107000', destination_addr: '15557770000', short_message: `bare ${i}` }), resolve)));
  const mo = await windowed(MESSAGES, (i) => smsc.deliver({ source_addr: '15557770000', source_addr_ton: 1, destination_addr: '15550107000', dest_addr_ton: 1, short_message: Buffer.from(`bare mo ${i}`) }));
  await new Promise<void>((resolve) => session.send(new smpp.PDU('unbind', {}), () => resolve()));
  session.destroy();
  return { submit, mo };
}

async function main() {
  const smsc = await startSmscEmulator({ systemId: 'bench', password: 'pw', receiptDelayMs: null });
  const bare = await bareClient(smsc);
  smsc.submits.length = 0;

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-smpp-'));
  const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'sb.db')}`, DATA_DIR: dataDir, LOG_LEVEL: 'warn', PUBLIC_URL: 'http://switchboard.bench', ALLOW_PRIVATE_URLS: '127.0.0.1/32' });
  const ctx = await createContext(config);
  registerJobs(ctx);
  const app = await buildApp(ctx);
  await app.ready();
  const tenant = await createTenant(ctx.db, 'Bench');
  const key = await createApiKey(ctx.db, tenant.id, 'bench');
  const auth = { authorization: `Bearer ${key.key}` };
  const account = await app.inject({ method: 'POST', url: '/api/v1/provider-accounts', headers: auth, payload: { type: 'smpp', name: 'bench', credentials: { host: '127.0.0.1', port: String(smsc.port), systemId: 'bench', password: 'pw', windowSize: String(WINDOW), throughput: '10000' } } });
  const accountId = account.json().id as string;
  const number = await app.inject({ method: 'POST', url: '/api/v1/numbers', headers: auth, payload: { number: NUMBER, providerAccountId: accountId, mps: null } });
  if (number.statusCode !== 201) throw new Error(number.body);
  const host = ctx.sessions.host('smpp') as SmppHost;
  host.timing = { ...host.timing, scanMs: 200 };
  ctx.sessions.start();
  await until(async () => (await host.state(accountId))?.state === 'bound', 10_000);

  // Submit: messages queued first, then the workers start; timed until every one is `sent`.
  for (let i = 0; i < MESSAGES; i += 1) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/messages', headers: auth, payload: { from: NUMBER, to: `+1555777${String(i % 10000).padStart(4, '0')}`, body: `bench ${i}` } });
    if (response.statusCode !== 202) throw new Error(response.body);
  }
  const submitStarted = performance.now();
  ctx.queue.start();
  const sentCount = async () => Number((await ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('direction', '=', 'outbound').where('status', '=', 'sent').executeTakeFirstOrThrow()).n);
  await until(async () => (await sentCount()) >= MESSAGES);
  const submitRate = MESSAGES / ((performance.now() - submitStarted) / 1000);
  if (smsc.submits.length !== MESSAGES) throw new Error(`the SMSC accepted ${smsc.submits.length} submits for ${MESSAGES} messages`);

  // MO: the SMSC delivers with up to 10 deliver_sm awaiting a response; each answer follows a commit.
  const moRate = await windowed(MESSAGES, async (i) => {
    const status = await smsc.deliver({ source_addr: '15557770000', source_addr_ton: 1, destination_addr: '15550107000', dest_addr_ton: 1, short_message: Buffer.from(`mo ${i}`) });
    if (status !== 0) throw new Error(`deliver_sm answered ${status}`);
  });
  const stored = Number((await ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('direction', '=', 'inbound').executeTakeFirstOrThrow()).n);
  if (stored !== MESSAGES) throw new Error(`${stored} MO stored for ${MESSAGES} acknowledged`);

  await app.close();
  await ctx.close();
  await smsc.close();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const rows = [
    ['submit_sm (queued → sent)', submitRate, bare.submit],
    ['deliver_sm MO (→ stored, answered)', moRate, bare.mo],
  ] as const;
  console.log(`SMPP benchmark — ${MESSAGES} messages each way, window ${WINDOW}, ${ctx.store.dialect}, one process`);
  console.log('                                      Switchboard/s    bare PDU round trip/s   ratio');
  for (const [name, ours, bareRate] of rows) console.log(`${name.padEnd(38)}${fmt(ours).padStart(13)}${fmt(bareRate).padStart(24)}${(ours / bareRate).toFixed(2).padStart(8)}`);
  console.log(`checked: ${MESSAGES} submits accepted once each; ${stored} MO stored`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
