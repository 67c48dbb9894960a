#!/usr/bin/env node
/**
 * `npm start` builds only when needed: on a fresh clone (no dist/) or when a source file is newer
 * than the last build. A built checkout starts at once instead of paying tsc + vite on every start.
 * The stamp file is written after a successful build, so an interrupted build is redone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const STAMP = 'dist/.build-stamp';
const INPUTS = ['src', 'web', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const SKIP = new Set(['node_modules', 'dist']);

function newestMtime(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) {
    if (SKIP.has(name)) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

if (process.argv.includes('--stamp')) {
  // Called at the end of `npm run build`: whatever ran the build, dist/ is now current.
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  process.exit(0);
}

const built = existsSync(STAMP) && existsSync('web/dist/index.html') ? statSync(STAMP).mtimeMs : 0;
const sources = Math.max(...INPUTS.map(newestMtime));
if (built === 0 || sources > built) {
  console.log(built === 0 ? 'switchboard: building (first start)…' : 'switchboard: sources changed, rebuilding…');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
