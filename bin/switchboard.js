#!/usr/bin/env node
import { runCli } from '../dist/cli/switchboard.bundle.mjs';

runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`switchboard: ${err?.message ?? err}`); process.exitCode = 1; },
);
