/**
 * Loaded into a benchmark's server process (`node --import ./bench/server-probe.mjs …`), never
 * into a deployment: counts SQL statements executed through better-sqlite3 and, on SIGUSR2,
 * writes `{ statements, cpuMicros }` (this process's own `process.cpuUsage()`) to
 * BENCH_PROBE_FILE, so a benchmark can read statements and CPU per message from the server itself.
 */
import { writeFileSync } from 'node:fs';
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

process.on('SIGUSR2', () => {
  const cpu = process.cpuUsage();
  writeFileSync(process.env.BENCH_PROBE_FILE, JSON.stringify({ statements, cpuMicros: cpu.user + cpu.system }));
});
