/** Shared set-up for benchmarks: a real Switchboard process on a fresh SQLite data folder. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/switchboard.js');

export interface BenchServer {
  url: string;
  env: Record<string, string>;
  process: ChildProcess;
  dataDir: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function ensureBuilt(): void {
  const result = spawnSync('node', ['scripts/ensure-built.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('build failed');
}

export function freshDataDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `switchboard-bench-${name}-`));
}

export function cli(env: Record<string, string>, args: string[]): any {
  const result = spawnSync('node', [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', input: '' });
  if (result.status !== 0) throw new Error(`switchboard ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export async function startSwitchboard(env: Record<string, string>, extraNodeArgs: string[] = []): Promise<BenchServer> {
  // BENCH_NODE_ARGS passes flags to the server process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = [...extraNodeArgs, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn('node', [...nodeArgs, BIN, 'start'], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ALLOW_PRIVATE_URLS: '127.0.0.1/32', ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`switchboard exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('switchboard did not start within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    env,
    process: child,
    dataDir: env.DATA_DIR!,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export async function api(server: BenchServer, key: string, method: string, url: string, body?: unknown): Promise<any> {
  const response = await fetch(server.url + '/api/v1' + url, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export function freePort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/**
 * Environment and node flags that load bench/server-probe.mjs into the server: it counts SQL
 * statements and reports its own CPU time. `read()` asks the server for both (SIGUSR2).
 */
export interface ProbeReading {
  statements: number;
  /** Every thread of the server process. */
  cpuMs: number;
  /** The main thread alone (null off Linux): the one that answers requests, so the one that limits throughput. */
  mainThreadMs: number | null;
}

/** "0.86 ms server CPU (main thread 0.80 ms)" per message between two probe readings. */
export function cpuPerMessage(from: ProbeReading, to: ProbeReading, messages: number): string {
  const main = from.mainThreadMs === null || to.mainThreadMs === null ? '' : ` (main thread ${fmt((to.mainThreadMs - from.mainThreadMs) / messages, 2)} ms)`;
  return `${fmt((to.cpuMs - from.cpuMs) / messages, 2)} ms server CPU${main}`;
}

export function serverProbe(dataDir: string) {
  const file = path.join(dataDir, 'probe.json');
  return {
    nodeArgs: ['--import', path.join(ROOT, 'bench/server-probe.mjs')],
    env: { BENCH_PROBE_FILE: file },
    async read(server: BenchServer): Promise<ProbeReading> {
      fs.rmSync(file, { force: true });
      server.process.kill('SIGUSR2');
      const deadline = Date.now() + 5_000;
      while (!fs.existsSync(file)) {
        if (Date.now() > deadline) throw new Error('the server probe did not answer (is bench/server-probe.mjs loaded?)');
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 20));
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { statements: number; cpuMicros: number; mainThreadCpuMicros: number | null };
      return { statements: data.statements, cpuMs: data.cpuMicros / 1000, mainThreadMs: data.mainThreadCpuMicros === null ? null : data.mainThreadCpuMicros / 1000 };
    },
  };
}

/** Waits until the server's CPU time stops growing (queued work after the last response is done). */
export async function settled(probe: ReturnType<typeof serverProbe>, server: BenchServer, timeoutMs = 60_000): Promise<ProbeReading> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe.read(server);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = await probe.read(server);
    if (now.cpuMs - last.cpuMs < 30 || Date.now() > deadline) return now;
    last = now;
  }
}

/**
 * The reference every throughput target is a ratio to: a bare node:http server answering the same
 * request with a fixed body, loaded by the same autocannon settings in the same run. Benchmarks
 * measure it right before and right after the server's run and use the mean (`bracketed`): this
 * machine's speed drifts by a third within minutes, so one bare run misstates the ratio.
 */
export async function bareServerRate(options: { path: string; contentType: string; body: string; status: number; reply: string; connections: number; duration: number }): Promise<number> {
  const port = freePort();
  const server = `require('http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.writeHead(${options.status},{'content-type':${JSON.stringify(options.contentType)}});s.end(${JSON.stringify(options.reply)})})}).listen(${port},'127.0.0.1')`;
  const child = spawn('node', ['-e', server], { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, 500));
  const result = await autocannon({ url: `http://127.0.0.1:${port}${options.path}`, method: 'POST', connections: options.connections, duration: options.duration, headers: { 'content-type': options.contentType }, body: options.body });
  child.kill();
  return result.requests.average;
}

/** The bare reference around a measurement: its rate before and after, and their mean. */
export async function bracketed<T>(bare: () => Promise<number>, measure: () => Promise<T>): Promise<{ result: T; bare: number; before: number; after: number }> {
  const before = await bare();
  const result = await measure();
  const after = await bare();
  return { result, bare: (before + after) / 2, before, after };
}
