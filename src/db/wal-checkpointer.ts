/**
 * SQLite WAL checkpoints on a worker thread. Left to itself, SQLite checkpoints inside whichever
 * commit crosses 1,000 WAL pages: that commit copies the pages into the database file and syncs
 * it on the thread that answers requests (issue 11: about 50 µs of every send's commit). Here a
 * second connection on its own thread runs a PASSIVE checkpoint every `intervalMs`; it never
 * blocks the writer. The main connection keeps a much larger automatic threshold as a backstop,
 * and goes back to SQLite's default if the thread fails, so the WAL never grows without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** Pages. 1,000 is SQLite's default; the backstop only runs when the thread falls far behind. */
const DEFAULT_AUTOCHECKPOINT = 1000;
const BACKSTOP_AUTOCHECKPOINT = 16_000;

// CommonJS, run with `eval`: the server is one bundled file, so the worker cannot be a module of its own.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let db = null;
let timer = null;
const fail = (error) => {
  clearInterval(timer);
  parentPort.postMessage({ failed: String(error && error.message || error) });
  parentPort.close();
};
try {
  const Database = require(workerData.driver);
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
  timer = setInterval(() => {
    try {
      checkpoint.get();
    } catch (error) {
      fail(error);
    }
  }, workerData.intervalMs);
} catch (error) {
  fail(error);
}
parentPort.on('message', () => {
  clearInterval(timer);
  if (db && db.open) db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

export function startWalCheckpointer(sqlite: SqliteDatabase.Database, file: string, options: { intervalMs?: number; onError?: (error: Error) => void } = {}): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs: options.intervalMs ?? 100 } });
  sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT}`);
  let running = true;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fallBack = (error: Error) => {
    if (!running) return;
    running = false;
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    options.onError?.(error);
  };
  worker.on('message', (message: { failed?: string }) => {
    if (message.failed) fallBack(new Error(`WAL checkpoint thread: ${message.failed}`));
  });
  worker.once('error', fallBack);
  // Never keeps the process alive on its own.
  worker.unref();
  return {
    async stop() {
      // Held open again until the thread has closed its connection.
      worker.ref();
      if (running) worker.postMessage('stop');
      running = false;
      await exited;
    },
  };
}
