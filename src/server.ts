/** Starts Switchboard: store, migrations, first-run set-up, HTTP, workers; stops gracefully. */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { bootstrap } from './bootstrap.js';
import type { Config } from './config/env.js';
import { createContext, type AppContext } from './context.js';
import { registerJobs } from './jobs/index.js';
import { scheduleRetention } from './services/retention.js';

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Readonly<Config>): Promise<RunningServer> {
  const ctx = await createContext(config);
  await bootstrap(ctx);
  registerJobs(ctx);
  const app = await buildApp(ctx);
  await app.listen({ port: config.port, host: config.host });
  if (config.runWorkers) {
    // Off the start-up path, but ready before the first send (a late first send breaks pacing).
    ctx.net.warm().catch((error: Error) => ctx.log.error({ err: error }, 'the HTTP thread for carrier calls did not start; the first send starts it again'));
    ctx.queue.start();
    // Carrier sessions (SMPP binds) live where sends run.
    ctx.sessions.start();
  }
  const stopRetention = config.runWorkers ? scheduleRetention(ctx) : () => undefined;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `${config.tlsCert ? 'https' : 'http'}://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  ctx.log.info({ url, publicUrl: config.publicUrl, database: ctx.store.dialect, dataDir: config.dataDir }, 'Switchboard is listening');

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      ctx.log.info({ graceMs: config.shutdownGraceMs }, 'shutting down: no new jobs are claimed; in-flight work gets the grace period');
      // Workers stop claiming at once; event streams are ended by the app's preClose hook;
      // jobs still running after the grace period are released to other nodes.
      stopRetention();
      const draining = ctx.queue.stop(config.shutdownGraceMs);
      await app.close();
      await draining;
      await ctx.close();
    })());
  return { app, ctx, url, stop };
}

export function exitOnSignals(server: RunningServer): void {
  // A failure nobody awaited is logged, never fatal: one bad job must not take every tenant down.
  process.on('unhandledRejection', (reason) => server.ctx.log.error({ err: reason }, 'unhandled promise rejection (logged, not fatal)'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      // Whatever hangs, the process is gone shortly after the grace period.
      setTimeout(() => {
        fs.writeSync(2, 'shutdown took longer than SHUTDOWN_GRACE_SECONDS; exiting\n');
        process.exit(1);
      }, server.ctx.config.shutdownGraceMs + 5000).unref();
      server.stop().then(
        () => process.exit(0),
        (error) => {
          fs.writeSync(2, `shutdown failed: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
    });
  }
}
