/**
 * Loaded into a benchmark's server process (`node --import ./bench/server-probe.mjs …`), never
 * into a deployment: counts SQL statements executed through better-sqlite3 and, on SIGUSR2,
 * writes `{ statements, cpuMicros, mainThreadCpuMicros }` to BENCH_PROBE_FILE, so a benchmark can
 * read statements and CPU per message from the server itself: the whole process's CPU
 * (`process.cpuUsage()`, every thread) and its main thread's alone, which is what limits throughput
 * (Linux's per-thread counters; null elsewhere).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
let statements = 0;

const probe = new Database(':memory:');
const Statement = Object.getPrototypeOf(probe.prepare('select 1'));
probe.close();
for (const method of ['run', 'get', 'all', 'iterate']) {
  const original = Statement[method];
  Statement[method] = function counted(...args) {
    statements += 1;
    return original.apply(this, args);
  };
}
const exec = Database.prototype.exec;
Database.prototype.exec = function counted(source) {
  statements += 1;
  return exec.call(this, source);
};

/** The main thread's user + system time from /proc (its thread id is the process id), in µs. */
function mainThreadCpuMicros() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th, in clock ticks (100 per second on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null;
  }
}

process.on('SIGUSR2', () => {
  const cpu = process.cpuUsage();
  writeFileSync(process.env.BENCH_PROBE_FILE, JSON.stringify({ statements, cpuMicros: cpu.user + cpu.system, mainThreadCpuMicros: mainThreadCpuMicros() }));
});
