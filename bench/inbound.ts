/**
 * Benchmark (a): inbound ingest of signed Twilio webhooks on SQLite — messages/s and p99 latency,
 * next to a bare node:http server's request rate measured in the same run, and their ratio.
 * Every 2xx is a durably stored message; the run checks that count at the end.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import path from 'node:path';
import { twilioSignature } from '../src/providers/twilio/twilio.signature.js';
import { bareServerRate, bracketed, cli, cpuPerMessage, ensureBuilt, fmt, freePort, freshDataDir, serverProbe, settled, startSwitchboard } from './lib.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PRESIGNED = Number(process.env.BENCH_PRESIGNED ?? 20_000 * DURATION);
const SID = 'AC' + 'b'.repeat(32);
const TOKEN = 'bench-auth-token';

async function main() {
  ensureBuilt();
  const bareRequest = { path: '/webhook/twilio/sms', contentType: 'application/x-www-form-urlencoded', body: 'MessageSid=SM1&From=%2B15551234567&To=%2B15550001111&Body=hi', status: 200, reply: '<Response></Response>', connections: CONNECTIONS, duration: DURATION };
  const { result: run, bare, before: bareBefore, after: bareAfter } = await bracketed(() => bareServerRate(bareRequest), runSwitchboard);
  const { result, before, after, stored } = run;
  const ok = result['2xx'];
  const rate = ok / DURATION;
  console.log('\nInbound ingest (signed Twilio webhooks, SQLite, durable commit before 2xx)');
  console.log(`  connections ${CONNECTIONS}, duration ${DURATION} s, cores ${(await import('node:os')).cpus().length}`);
  console.log(`  Switchboard:   ${fmt(rate)} messages/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms   non-2xx ${result.non2xx}   errors ${result.errors}`);
  console.log(`  bare node:http ${fmt(bare)} requests/s (mean of ${fmt(bareBefore)} before and ${fmt(bareAfter)} after)`);
  console.log(`  ratio          ${fmt((rate / bare) * 100, 1)} % of bare node:http (target ≥ 15 %, issue 11 P1)`);
  console.log(`  per message:   ${fmt((after.statements - before.statements) / stored, 1)} SQL statements   ${cpuPerMessage(before, after, stored)} (from the server process, load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  // Requests still in flight when the load stops are stored without their 2xx being counted: at most one per connection.
  const verdict = stored < ok ? `LOST ${ok - stored} acknowledged messages` : stored - ok <= CONNECTIONS ? `every acknowledged message is stored (${stored - ok} more were in flight at the end)` : `MISMATCH (${stored - ok} stored beyond the in-flight requests)`;
  console.log(`  acknowledged ${ok}, stored ${stored} → ${verdict}`);
}

async function runSwitchboard() {
  const port = freePort();
  const dataDir = freshDataDir('inbound');
  const publicUrl = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'sb.db')}`, PUBLIC_URL: publicUrl, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_BASE_URL: 'http://127.0.0.1:9/unused' };
  const probe = serverProbe(dataDir);
  const server = await startSwitchboard({ ...env, ...probe.env }, probe.nodeArgs);
  const key = cli(env, ['apikey', 'create', '--tenant', 'Default']).key;
  const numberResponse = await fetch(`${publicUrl}/api/v1/numbers`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ number: '+15550001111', providerAccountId: 'env_twilio' }) });
  if (!numberResponse.ok) throw new Error(await numberResponse.text());

  const url = `${publicUrl}/webhook/twilio/sms`;
  // Signed before the run, so the load generator spends its CPU sending, not signing (it shares
  // the machine with the server). More than the run can use: a reused body would be a duplicate.
  const signed = Array.from({ length: PRESIGNED }, (_, index) => {
    const params = new URLSearchParams({ MessageSid: `SM${(index + 1).toString(16).padStart(32, '0')}`, AccountSid: SID, From: '+15551234567', To: '+15550001111', Body: `Inbound benchmark ${index + 1} ${randomBytes(4).toString('hex')}`, NumMedia: '0', SmsStatus: 'received', ApiVersion: '2010-04-01' });
    return { body: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, url, [...params.entries()]) } };
  });
  const before = await probe.read(server);
  let sequence = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        setupRequest(request: any) {
          const next = signed[sequence++];
          if (!next) throw new Error(`more than ${PRESIGNED} requests: raise BENCH_PRESIGNED`);
          return { ...request, ...next };
        },
      },
    ],
  });
  // Work queued by the webhooks (routing, push, events) counts too: read once the server is idle.
  const after = await settled(probe, server);
  await server.stop();
  const db = new Database(path.join(dataDir, 'sb.db'), { readonly: true });
  const stored = (db.prepare("select count(*) as n from messages where direction = 'inbound'").get() as { n: number }).n;
  db.close();
  return { result, before, after, stored };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
