#!/usr/bin/env node
/**
 * Bundles the compiled server (dist/cli/main.js and everything it imports, dependencies
 * included) into one file, dist/cli/switchboard.bundle.mjs, which bin/switchboard.js runs.
 * Node then reads and links one module instead of about two thousand, which is most of what
 * start-up used to wait for (issue 11, P6).
 *
 * Left outside the bundle: native addons, optional drivers, packages loaded only on demand, and
 * packages that read their own files at run time (Swagger's package.json, Swagger UI's assets, pino's worker files).
 */
import { build } from 'esbuild';

const external = ['better-sqlite3', 'pg-native', '@aws-sdk/*', '@fastify/swagger', '@fastify/swagger-ui', 'pino', 'thread-stream'];

await build({
  entryPoints: ['dist/cli/main.js'],
  // Same folder depth as the compiled modules, so paths they resolve from their own URL
  // (web/dist from the routes) still point at the same place.
  outfile: 'dist/cli/switchboard.bundle.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  // CommonJS dependencies call require() for Node's built-ins; an ES module has none of its own.
  banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" },
  // Smaller source to read and parse at start; identifiers keep their names for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
