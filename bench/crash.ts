/**
 * Benchmark (c): SIGKILL under mixed inbound and outbound load, restart, then count
 * acknowledged-but-missing inbound messages (must be 0) and outbound messages sent twice
 * (only those in flight at the kill may be).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { startTwilioEmulator } from '../src/providers/twilio/twilio.emulator.js';
import { twilioSignature } from '../src/providers/twilio/twilio.signature.js';
import { api, cli, ensureBuilt, fmt, freePort, freshDataDir, startSwitchboard } from './lib.js';

const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const WORKERS = 24;
const SID = 'AC' + 'd'.repeat(32);
const TOKEN = 'bench-crash-token';

async function main() {
  ensureBuilt();
  const emulator = await startTwilioEmulator({ accountSid: SID, authToken: TOKEN, callbackDelayMs: 5 });
  const port = freePort();
  const dataDir = freshDataDir('crash');
  const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'sb.db')}`, PUBLIC_URL: `http://127.0.0.1:${port}` };
  const tenant = cli(env, ['tenant', 'create', 'Crash']);
  const key = cli(env, ['apikey', 'create', '--tenant', tenant.id]).key;
  let server = await startSwitchboard(env);
  const account = await api(server, key, 'POST', '/provider-accounts', { type: 'twilio', name: 'emulator', credentials: { accountSid: SID, authToken: TOKEN }, baseUrl: emulator.baseUrl });
  await api(server, key, 'POST', '/numbers', { number: '+15550001111', providerAccountId: account.id, mps: 0 });
  const webhookUrl = account.webhookUrls.inbound as string;

  const ackedInbound = new Set<string>();
  const ackedOutbound = new Map<string, string>();
  let sequence = 0;
  let loading = true;
  const inboundWorker = async () => {
    while (loading) {
      const sid = `SM${(++sequence).toString(16).padStart(32, '0')}`;
      const params = new URLSearchParams({ MessageSid: sid, AccountSid: SID, From: '+15551234567', To: '+15550001111', Body: `crash inbound ${sid}`, NumMedia: '0' });
      try {
        const response = await fetch(webhookUrl, { method: 'POST', body: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, webhookUrl, [...params.entries()]) } });
        if (response.ok) ackedInbound.add(sid);
        await response.arrayBuffer();
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const outboundWorker = async () => {
    while (loading) {
      const body = `crash outbound ${++sequence}`;
      try {
        const response = await fetch(`${server.url}/api/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ from: '+15550001111', to: '+15551234567', body }) });
        if (response.status === 202) ackedOutbound.set(((await response.json()) as { id: string }).id, body);
        else await response.arrayBuffer();
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const load = [...Array.from({ length: WORKERS / 2 }, inboundWorker), ...Array.from({ length: WORKERS / 2 }, outboundWorker)];
  await new Promise((r) => setTimeout(r, LOAD_SECONDS * 1000));
  server.process.kill('SIGKILL');
  await new Promise((r) => server.process.once('exit', r));
  loading = false;
  await Promise.all(load);
  const sentBeforeKill = emulator.requests.length;

  server = await startSwitchboard(env);
  const db = new Database(path.join(dataDir, 'sb.db'), { readonly: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const pending = (db.prepare("select count(*) as n from jobs where dead = 0 and name = 'message.send'").get() as { n: number }).n;
    if (pending === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const storedInbound = new Set((db.prepare("select provider_message_id as id from messages where direction = 'inbound'").all() as Array<{ id: string }>).map((r) => r.id));
  const storedOutbound = new Set((db.prepare("select id from messages where direction = 'outbound'").all() as Array<{ id: string }>).map((r) => r.id));
  // In flight at the kill: the provider may have them, so they are not sent again (jobs/send-message.job.ts).
  const unknownOutcome = new Set((db.prepare("select id from messages where direction = 'outbound' and error_code = 'outcome_unknown'").all() as Array<{ id: string }>).map((r) => r.id));
  db.close();
  await server.stop();
  await emulator.close();

  const sends = new Map<string, number>();
  for (const request of emulator.requests) {
    const body = new URLSearchParams(request.text).get('Body') ?? '';
    sends.set(body, (sends.get(body) ?? 0) + 1);
  }
  const missingInbound = [...ackedInbound].filter((sid) => !storedInbound.has(sid)).length;
  const missingOutbound = [...ackedOutbound.keys()].filter((id) => !storedOutbound.has(id)).length;
  const neverSent = [...ackedOutbound].filter(([id, body]) => !sends.has(body) && !unknownOutcome.has(id)).length;
  const twice = [...sends.values()].filter((count) => count > 1).length;

  console.log('\nCrash test: SIGKILL under mixed load, restart, recount (SQLite)');
  console.log(`  load ${LOAD_SECONDS} s with ${WORKERS} concurrent clients; provider sends before the kill: ${fmt(sentBeforeKill)}`);
  console.log(`  inbound acknowledged (2xx):   ${fmt(ackedInbound.size)}   missing after restart: ${missingInbound}  (must be 0)`);
  console.log(`  outbound acknowledged (202):  ${fmt(ackedOutbound.size)}   missing after restart: ${missingOutbound}  (must be 0)`);
  console.log(`  outbound never sent after restart and drain: ${neverSent}  (must be 0; outcome_unknown ones aside)`);
  console.log(`  outbound in flight at the kill, left outcome_unknown: ${unknownOutcome.size}  (not sent again; a person may re-send)`);
  console.log(`  outbound sent twice: ${twice}  (must be 0)`);
  process.exitCode = missingInbound === 0 && missingOutbound === 0 && neverSent === 0 && twice === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
