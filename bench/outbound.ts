/**
 * Benchmark (b): outbound dispatch through the queue to the local Twilio emulator, with its
 * status callbacks, on SQLite. Prints the API's accept rate and the rate from first accept to
 * the last message `delivered`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { api, bareServerRate, bracketed, cli, cpuPerMessage, ensureBuilt, fmt, freePort, freshDataDir, ROOT, serverProbe, settled, startSwitchboard, type ProbeReading } from './lib.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
// BENCH_RATE=800 sends at a fixed rate instead of as fast as the API answers: the CPU per message
// is then read off a machine that is not saturated, which is steadier here than a saturated run.
const RATE = Number(process.env.BENCH_RATE ?? 0);
const SID = 'AC' + 'c'.repeat(32);
const TOKEN = 'bench-outbound-token';

async function startEmulatorProcess() {
  // Node itself with tsx's loader, not `npx tsx` (which forks a second process): kill() must reach
  // the emulator, or its open pipe keeps this benchmark from exiting once it has printed.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/emulator-process.ts')], { env: { ...process.env, EMU_SID: SID, EMU_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()).baseUrl));
    child.once('exit', () => reject(new Error('emulator exited')));
  });
  return { child, baseUrl };
}

async function main() {
  ensureBuilt();
  const bareRequest = { path: '/api/v1/messages', contentType: 'application/json', body: JSON.stringify({ from: '+15550001111', to: '+15551234567', body: 'Outbound benchmark 1' }), status: 202, reply: JSON.stringify({ id: 'msg_x', status: 'queued' }), connections: CONNECTIONS, duration: DURATION };
  const { result: run, bare, before: bareBefore, after: bareAfter } = await bracketed(() => bareServerRate(bareRequest), runSwitchboard);
  const { result, accepted, acceptRate, delivered, seconds, failed, byStatus, before, afterAccept, afterAll } = run;
  const endToEnd = delivered / seconds;
  console.log('\nOutbound dispatch (API → queue → Twilio emulator → status callbacks → delivered), SQLite');
  console.log(`  connections ${CONNECTIONS}, accept phase ${DURATION} s, cores ${(await import('node:os')).cpus().length}`);
  console.log(`  API accept:      ${fmt(acceptRate)} requests/s (202)   p99 ${result.latency.p99} ms   non-2xx ${result.non2xx}   ${fmt((acceptRate / bare) * 100, 1)} % of bare (target ≥ 10 %, issue 11 P2)`);
  console.log(`  end to end:      ${fmt(endToEnd)} messages/s delivered (${delivered} of ${accepted} in ${fmt(seconds, 1)} s; failed ${failed})   ${fmt((endToEnd / bare) * 100, 1)} % of bare (target ≥ 4 %)`);
  console.log(`  bare node:http:  ${fmt(bare)} requests/s (same POST, fixed 202 answer; mean of ${fmt(bareBefore)} before and ${fmt(bareAfter)} after)`);
  const perMessage = (to: ProbeReading) => `${fmt((to.statements - before.statements) / accepted, 1)} SQL statements, ${cpuPerMessage(before, to, accepted)}`;
  console.log(`  per message:     accept phase ${perMessage(afterAccept)} (workers running); through delivered ${perMessage(afterAll)} (from the server process, load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  console.log(`  final statuses:  ${byStatus.map((row) => `${row.status} ${row.n}`).join(', ')}`);
}

async function runSwitchboard() {
  const emulator = await startEmulatorProcess();
  const port = freePort();
  const dataDir = freshDataDir('outbound');
  const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'sb.db')}`, PUBLIC_URL: `http://127.0.0.1:${port}` };
  const tenant = cli(env, ['tenant', 'create', 'Bench']);
  const key = cli(env, ['apikey', 'create', '--tenant', tenant.id]).key;
  const probe = serverProbe(dataDir);
  const server = await startSwitchboard({ ...env, ...probe.env }, probe.nodeArgs);
  const account = await api(server, key, 'POST', '/provider-accounts', { type: 'twilio', name: 'emulator', credentials: { accountSid: SID, authToken: TOKEN }, baseUrl: emulator.baseUrl });
  await api(server, key, 'POST', '/numbers', { number: '+15550001111', providerAccountId: account.id, mps: 0 });

  const before = await probe.read(server);
  let sequence = 0;
  const started = Date.now();
  const result = await autocannon({
    url: `${server.url}/api/v1/messages`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    ...(RATE ? { overallRate: RATE } : {}),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (request: any) => ({ ...request, body: JSON.stringify({ from: '+15550001111', to: '+15551234567', body: `Outbound benchmark ${++sequence}` }) }) }],
  });
  const accepted = result['2xx'];
  const afterAccept = await probe.read(server);
  const acceptRate = accepted / DURATION;

  const db = new Database(path.join(dataDir, 'sb.db'), { readonly: true });
  const count = (status: string) => (db.prepare('select count(*) as n from messages where status = ?').get(status) as { n: number }).n;
  const deadline = Date.now() + 120_000;
  let delivered = 0;
  while (Date.now() < deadline) {
    delivered = count('delivered');
    if (delivered >= accepted) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const lastDelivered = (db.prepare("select max(delivered_at) as t from messages where status = 'delivered'").get() as { t: string }).t;
  const seconds = (Date.parse(lastDelivered) - started) / 1000;
  const failed = count('failed');
  const byStatus = db.prepare('select status, count(*) as n from messages group by status').all() as Array<{ status: string; n: number }>;
  db.close();
  const afterAll = await settled(probe, server);
  await server.stop();
  emulator.child.kill();

  return { result, accepted, acceptRate, delivered, seconds, failed, byStatus, before, afterAccept, afterAll };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
