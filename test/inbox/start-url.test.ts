/** Issue 12, newcomer path: `switchboard start` prints the URL to open, and says when the first owner is still to be created. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startMessage } from '../../src/cli/main.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/switchboard.js');

/** Starts the real CLI and returns the first line it prints to stdout, then stops it. */
async function firstLine(env: Record<string, string>): Promise<string> {
  const child = spawn('node', [BIN, 'start'], { cwd: ROOT, env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    return await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no line printed within 30 s: ${out}`)), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((l) => l.startsWith('Switchboard is running'));
        if (line) {
          clearTimeout(timer);
          resolve(line);
        }
      });
    });
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

describe('start prints the URL to open', () => {
  beforeAll(() => {
    // Builds only when the sources changed since the last build (npm test has just built).
    expect(spawnSync('node', ['scripts/ensure-built.mjs'], { cwd: ROOT, stdio: 'inherit' }).status).toBe(0);
  }, 180_000);

  it('names the public URL, the local one when it differs, and first-owner set-up', () => {
    expect(startMessage('http://127.0.0.1:3000', 'http://127.0.0.1:3000/', false)).toBe('Switchboard is running: open http://127.0.0.1:3000 in your browser to create the first owner.');
    expect(startMessage('http://127.0.0.1:3000', 'https://sms.example.com', true)).toBe('Switchboard is running: open https://sms.example.com (this machine: http://127.0.0.1:3000) in your browser.');
  });

  it('prints it from the real command on a fresh data folder', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-start-'));
    const port = 31_000 + Math.floor(Math.random() * 10_000);
    try {
      const line = await firstLine({ DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'sb.db')}`, LOG_LEVEL: 'silent', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}` });
      expect(line).toBe(`Switchboard is running: open http://127.0.0.1:${port} in your browser to create the first owner.`);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
