/**
 * Benchmark (P6, issue 11): start-up and idle memory on an already built checkout.
 * - `npm start` (the README's command: freshness check, then the server) until /readyz answers;
 * - `node bin/switchboard.js start` alone, the same way;
 * - next to a bare node:http server started the same way in the same run (the machine's floor
 *   for starting a Node process and answering one request);
 * - idle RSS of the server process BENCH_IDLE_SECONDS (5) after it is ready.
 * Each start uses a fresh SQLite data folder; BENCH_RUNS (5) runs of each, median and worst shown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { ROOT, ensureBuilt, fmt, freePort, freshDataDir } from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 5);

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    // npm start runs the server in a child of its own: end the whole process group.
    process.kill(-child.pid!, 'SIGTERM');
  });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Starts `command`, returns milliseconds until `path` answers 2xx (and the process, still running). */
async function timeToReady(command: string, args: string[], path: string): Promise<{ ms: number; child: ChildProcess }> {
  const port = freePort();
  const env = { ...process.env, PORT: String(port), DATA_DIR: freshDataDir('startup'), LOG_LEVEL: 'warn' };
  const started = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env, stdio: process.env.BENCH_VERBOSE ? 'inherit' : 'ignore', detached: true });
  const url = `http://127.0.0.1:${port}${path}`;
  while (!(await answers(url))) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited with ${child.exitCode}`);
    if (performance.now() - started > 30_000) throw new Error(`${command} ${args.join(' ')} not ready within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { ms: performance.now() - started, child };
}

const BARE = "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')";

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${fmt(sorted[Math.floor(sorted.length / 2)]!)} ms, worst ${fmt(sorted.at(-1)!)} ms`;
}

ensureBuilt();
const bare: number[] = [];
const npmStart: number[] = [];
const direct: number[] = [];
const idle: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  const reference = await timeToReady(process.execPath, ['-e', BARE], '/');
  bare.push(reference.ms);
  await stop(reference.child);
  const viaNpm = await timeToReady('npm', ['start', '--silent'], '/readyz');
  npmStart.push(viaNpm.ms);
  await stop(viaNpm.child);
  const server = await timeToReady(process.execPath, ['bin/switchboard.js', 'start'], '/readyz');
  direct.push(server.ms);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  idle.push(rssMb(server.child.pid!));
  await stop(server.child);
}

console.log(`start-up on a built checkout, ${RUNS} runs each, fresh SQLite data folder:`);
console.log(`  bare node:http server        ${summary(bare)}`);
console.log(`  npm start → /readyz          ${summary(npmStart)}   (target < 2000 ms)`);
console.log(`  bin/switchboard.js start     ${summary(direct)}`);
console.log(`  idle RSS ${IDLE_SECONDS} s after ready     median ${fmt([...idle].sort((a, b) => a - b)[Math.floor(idle.length / 2)]!, 1)} MB, worst ${fmt(Math.max(...idle), 1)} MB   (target < 150 MB)`);
