import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, TEST_DATABASE } from '../helper.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/switchboard.js');

function environment(): Record<string, string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
  // The CLI runs against SQLite here on both passes; PostgreSQL is covered by the API tests.
  return { DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'sb.db')}`, LOG_LEVEL: 'silent' };
}

function cli(env: Record<string, string>, args: string[], input = '') {
  return spawnSync('node', [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH!, ...env }, input, encoding: 'utf8' });
}

describe('switchboard command line', () => {
  beforeAll(() => {
    // Builds only when the sources changed since the last build (npm test has just built).
    expect(spawnSync('node', ['scripts/ensure-built.mjs'], { cwd: ROOT, stdio: 'inherit' }).status).toBe(0);
  }, 180_000);

  it('creates a tenant, users and API keys, printing secrets once', () => {
    const env = environment();
    const tenant = cli(env, ['tenant', 'create', 'Acme', 'Dental']);
    expect(tenant.status, tenant.stderr).toBe(0);
    expect(JSON.parse(tenant.stdout)).toMatchObject({ name: 'Acme Dental' });
    const generated = cli(env, ['user', 'create', '--tenant', 'Acme Dental', '--email', 'a@example.com', '--role', 'agent']);
    expect(generated.status, generated.stderr).toBe(0);
    expect(JSON.parse(generated.stdout).password).toMatch(/.{12,}/);
    const typed = cli(env, ['user', 'create', '--tenant', JSON.parse(tenant.stdout).id, '--email', 'b@example.com', '--role', 'admin'], 'a typed password\n');
    expect(typed.status, typed.stderr).toBe(0);
    expect(JSON.parse(typed.stdout)).not.toHaveProperty('password');
    const key = cli(env, ['apikey', 'create', '--tenant', 'Acme Dental', '--name', 'crm']);
    expect(key.status, key.stderr).toBe(0);
    expect(JSON.parse(key.stdout).key).toMatch(/^sb_[A-Za-z0-9]{8}_/);
  });

  it('exits non-zero with one clear line on errors', () => {
    const env = environment();
    const unknownTenant = cli(env, ['apikey', 'create', '--tenant', 'Nope']);
    expect(unknownTenant.status).toBe(1);
    expect(unknownTenant.stderr).toMatch(/tenant "Nope" was not found/);
    const badRole = cli(env, ['user', 'create', '--tenant', 'x', '--email', 'a@b.c', '--role', 'king']);
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toMatch(/--role must be one of owner, admin, agent/);
    const badConfig = cli({ ...env, DATABASE_URL: 'mysql://localhost/x' }, ['migrate']);
    expect(badConfig.status).toBe(1);
    expect(badConfig.stderr.trim().split('\n')).toHaveLength(1);
    expect(badConfig.stderr).toMatch(/DATABASE_URL must start with sqlite: or postgres:\/\//);
    expect(cli(env, ['launch']).status).toBe(2);
  });

  it('refuses to start on invalid configuration, naming the variable', () => {
    const result = cli({ ...environment(), PORT: 'eighty' }, ['start']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/configuration error: PORT must be an integer/);
  });

  it('starts, creates the first owner from ADMIN_EMAIL with a sandbox number, and stops on SIGTERM', async () => {
    const port = 21_000 + Math.floor(Math.random() * 10_000);
    const env = { ...environment(), PORT: String(port), HOST: '127.0.0.1', ADMIN_EMAIL: 'owner@example.com', ADMIN_PASSWORD: 'owner-password-1', PUBLIC_URL: `http://127.0.0.1:${port}` };
    if (TEST_DATABASE === 'postgres') expect(PG_URL).toBeTruthy();
    const child = spawn('node', [BIN, 'start'], { cwd: ROOT, env: { PATH: process.env.PATH!, ...env }, stdio: 'ignore' });
    try {
      let login: Response | undefined;
      for (let i = 0; i < 100 && !login; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@example.com', password: 'owner-password-1' }) }).catch(() => undefined);
      }
      expect(login?.status).toBe(200);
      const cookie = login!.headers.get('set-cookie')!.split(';')[0]!;
      const numbers = await (await fetch(`http://127.0.0.1:${port}/api/v1/numbers`, { headers: { cookie } })).json();
      expect(numbers.items.map((n: { number: string }) => n.number)).toContain('+15550100001');
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
    }
  });
});
