#!/usr/bin/env node
/**
 * The full test suite, as the README's test command runs it:
 *   1. build (server and dashboard),
 *   2. every unit and integration test on SQLite,
 *   3. the same tests on PostgreSQL (127.0.0.1:5432, database `test`; started if it is installed
 *      but stopped; in CI an unreachable server fails the run, elsewhere it is reported skipped),
 *   4. the dashboard's end-to-end tests in Debian's Chromium (installed by
 *      scripts/ensure-chromium.sh when missing; in CI a missing browser fails the run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';

const CI = process.env.CI === 'true' || process.env.CI === '1';
const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const summary = [];

function run(title, command, args, env = {}) {
  console.log(`\n=== ${title} ===`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  summary.push(`${result.status === 0 ? 'passed ' : 'FAILED '} ${title} (${seconds} s)`);
  return result.status === 0;
}

async function postgresReachable() {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensurePostgres() {
  if (await postgresReachable()) return null;
  // Installed but stopped (a fresh machine boot): start the cluster the way Debian does.
  spawnSync('sh', ['-c', 'command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main start'], { stdio: 'inherit' });
  for (let i = 0; i < 20; i += 1) {
    if (await postgresReachable()) return null;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return `no PostgreSQL answers at ${PG_URL} (set TEST_PG_URL to point at one)`;
}

let ok = run('build', 'npm', ['run', 'build', '--silent']);
const vitest = ['vitest', 'run', ...process.argv.slice(2)];
ok = run('unit and integration tests on SQLite', 'npx', vitest, { TEST_DATABASE: 'sqlite' }) && ok;

const pgProblem = await ensurePostgres();
if (pgProblem && CI) {
  summary.push(`FAILED  PostgreSQL tests: ${pgProblem}`);
  ok = false;
} else if (pgProblem) {
  summary.push(`skipped PostgreSQL tests: ${pgProblem}`);
} else {
  ok = run('unit and integration tests on PostgreSQL', 'npx', vitest, { TEST_DATABASE: 'postgres', TEST_PG_URL: PG_URL }) && ok;
}

if (existsSync('e2e/vitest.config.ts') && process.argv.length <= 2) {
  const browser = spawnSync('bash', ['scripts/ensure-chromium.sh'], { stdio: 'inherit' });
  if (browser.status !== 0 && CI) {
    summary.push('FAILED  dashboard end-to-end tests: Chromium could not be installed');
    ok = false;
  } else if (browser.status !== 0) {
    summary.push('skipped dashboard end-to-end tests: Chromium is not installed and could not be (see scripts/ensure-chromium.sh)');
  } else {
    ok = run('dashboard end-to-end tests in Chromium', 'npx', ['vitest', 'run', '--config', 'e2e/vitest.config.ts']) && ok;
  }
}

console.log(`\n=== summary ===\n${summary.join('\n')}`);
process.exit(ok ? 0 : 1);
