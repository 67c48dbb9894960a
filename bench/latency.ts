/**
 * Benchmark (P4, issue 11): live latency. Signed Twilio webhooks arrive at BENCH_RATE messages/s
 * (default 500) for BENCH_SECONDS (10) while a `GET /api/v1/events` stream is open; for each
 * message, the time from its webhook's 2xx (and from the request being sent) to its
 * `message.received` event on the stream. Next to it, a bare node:http server that answers the
 * same POSTs and writes each body to its own open event stream, measured the same way in the same run.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { twilioSignature } from '../src/providers/twilio/twilio.signature.js';
import { cli, ensureBuilt, fmt, freePort, freshDataDir, startSwitchboard } from './lib.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// A server just started answers its first seconds of load slowly (JIT, first statements, page
// cache): measured apart, so the figures show both a cold start and the steady state.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const SID = 'AC' + 'c'.repeat(32);
const TOKEN = 'bench-auth-token';
const OURS = '+15550001111';

interface Timing {
  sent: number;
  acked?: number;
  seen?: number;
}

/** Reads an SSE stream and calls `onData` with each event's data line. */
async function openStream(url: string, headers: Record<string, string>, onData: (data: string) => void): Promise<AbortController> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  if (response.status !== 200 || !response.body) throw new Error(`events stream → ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split('\n')) if (line.startsWith('data: ')) onData(line.slice(6));
        }
      }
    } catch {
      // aborted at the end of the run
    }
  })();
  return abort;
}

/** Sends `RATE` requests a second for `seconds`, numbered from `first`; `request(i)` returns the fetch for message i. */
async function drive(timings: Map<string, Timing>, request: (i: number, token: string) => Promise<Response>, seconds: number, first: number): Promise<{ non2xx: number; errors: number }> {
  const total = RATE * seconds;
  const started = performance.now();
  let non2xx = 0;
  let errors = 0;
  const pending: Promise<void>[] = [];
  for (let i = first; i < first + total; i += 1) {
    const due = started + ((i - first) * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const token = `lat${i.toString(36).padStart(6, '0')}x`;
    const timing: Timing = { sent: performance.now() };
    timings.set(token, timing);
    pending.push(
      request(i, token).then(
        async (response) => {
          await response.arrayBuffer();
          if (response.status >= 300) non2xx += 1;
          else timing.acked = performance.now();
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  // Events may trail the last acknowledgements a little.
  const deadline = performance.now() + 10_000;
  while ([...timings.values()].some((t) => t.acked !== undefined && t.seen === undefined) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { non2xx, errors };
}

function summarise(timings: Map<string, Timing>) {
  const acked = [...timings.values()].filter((t) => t.acked !== undefined);
  const seen = acked.filter((t) => t.seen !== undefined);
  const fromAck = seen.map((t) => Math.max(0, t.seen! - t.acked!)).sort((a, b) => a - b);
  const fromSend = seen.map((t) => t.seen! - t.sent).sort((a, b) => a - b);
  const at = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { acked: acked.length, missing: acked.length - seen.length, ackP50: at(fromAck, 50), ackP99: at(fromAck, 99), sendP50: at(fromSend, 50), sendP99: at(fromSend, 99) };
}

function tokenIn(data: string): string | null {
  return /lat[0-9a-z]{6}x/.exec(data)?.[0] ?? null;
}

async function bareReference() {
  const port = freePort();
  const child = spawn(
    'node',
    ['-e', `let s=null;require('http').createServer((q,r)=>{if(q.method==='GET'){r.writeHead(200,{'content-type':'text/event-stream'});r.write(': connected\\n\\n');s=r;return}let b='';q.on('data',c=>b+=c);q.on('end',()=>{r.writeHead(200,{'content-type':'text/xml'});r.end('<Response></Response>');if(s)s.write('event: message.received\\ndata: '+JSON.stringify({body:b})+'\\n\\n')})}).listen(${port},'127.0.0.1')`],
    { stdio: 'inherit' },
  );
  await new Promise((r) => setTimeout(r, 500));
  const timings = new Map<string, Timing>();
  const stream = await openStream(`http://127.0.0.1:${port}/events`, {}, (data) => {
    const timing = timings.get(tokenIn(data) ?? '');
    if (timing && timing.seen === undefined) timing.seen = performance.now();
  });
  const post = (_i: number, token: string) => fetch(`http://127.0.0.1:${port}/webhook`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `Body=${token}` });
  const cold = await drive(timings, post, WARMUP_SECONDS, 0);
  const warmUp = { ...summarise(timings), ...cold };
  timings.clear();
  const outcome = await drive(timings, post, SECONDS, RATE * WARMUP_SECONDS);
  stream.abort();
  child.kill();
  return { warmUp, steady: { ...summarise(timings), ...outcome } };
}

async function main() {
  ensureBuilt();
  const port = freePort();
  const dataDir = freshDataDir('latency');
  const publicUrl = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'sb.db')}`, PUBLIC_URL: publicUrl, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_BASE_URL: 'http://127.0.0.1:9/unused' };
  const server = await startSwitchboard(env);
  let result: Awaited<ReturnType<typeof bareReference>>;
  try {
    const key = cli(env, ['apikey', 'create', '--tenant', 'Default']).key as string;
    const headers = { authorization: `Bearer ${key}` };
    const numberResponse = await fetch(`${publicUrl}/api/v1/numbers`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ number: OURS, providerAccountId: 'env_twilio' }) });
    if (!numberResponse.ok) throw new Error(await numberResponse.text());

    const timings = new Map<string, Timing>();
    const stream = await openStream(`${publicUrl}/api/v1/events`, headers, (data) => {
      const timing = timings.get(tokenIn(data) ?? '');
      if (timing && timing.seen === undefined) timing.seen = performance.now();
    });
    const url = `${publicUrl}/webhook/twilio/sms`;
    // Bodies are signed before the clock starts for each one, so signing costs the server nothing.
    const post = (i: number, token: string) => {
      const params = new URLSearchParams({ MessageSid: `SM${i.toString(16).padStart(32, '0')}`, AccountSid: SID, From: `+1555${String(1_000_000 + (i % 500)).slice(1)}`, To: OURS, Body: `Latency ${token}`, NumMedia: '0', SmsStatus: 'received', ApiVersion: '2010-04-01' });
      return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, url, [...params.entries()]) }, body: params.toString() });
    };
    const cold = await drive(timings, post, WARMUP_SECONDS, 0);
    const warmUp = { ...summarise(timings), ...cold };
    timings.clear();
    const outcome = await drive(timings, post, SECONDS, RATE * WARMUP_SECONDS);
    stream.abort();
    result = { warmUp, steady: { ...summarise(timings), ...outcome } };
  } finally {
    await server.stop();
  }
  const bare = await bareReference();

  console.log(`\nLive latency: inbound webhook → message.received on an open GET /events stream (SQLite)`);
  console.log(`  ${RATE} messages/s: the first ${WARMUP_SECONDS} s after start (cold), then ${SECONDS} s measured; cores ${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const line = (label: string, r: typeof result.steady) =>
    console.log(`  ${label.padEnd(16)} 2xx → event p50 ${fmt(r.ackP50, 1).padStart(6)} ms  p99 ${fmt(r.ackP99, 1).padStart(7)} ms   sent → event p50 ${fmt(r.sendP50, 1).padStart(6)} ms  p99 ${fmt(r.sendP99, 1).padStart(7)} ms   acknowledged ${r.acked}, no event ${r.missing}, non-2xx ${r.non2xx}, errors ${r.errors}`);
  line('Switchboard', result.steady);
  line('bare node:http', bare.steady);
  line('  cold start', result.warmUp);
  line('  bare, cold', bare.warmUp);
  console.log(`  target: p99 (2xx → event) < 100 ms, measured after the first ${WARMUP_SECONDS} s → ${result.steady.ackP99 < 100 && result.steady.missing === 0 ? 'ok' : 'NOT MET'}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
