/**
 * Issue 11: SQLite's WAL is checkpointed by a second connection on a worker thread, so no commit
 * on the main thread pays for copying pages into the database file; if that thread fails, the
 * main connection checkpoints by itself again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startWalCheckpointer } from '../../src/db/wal-checkpointer.js';
import { eventually } from '../helper.js';

describe('WAL checkpoints on a worker thread', () => {
  const dirs: string[] = [];
  const open = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-wal-'));
    dirs.push(dir);
    const file = path.join(dir, 'db.sqlite');
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('create table t (id integer primary key, body text not null)');
    return { sqlite, file };
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed pages into the database file while the main connection never checkpoints', async () => {
    const { sqlite, file } = open();
    const checkpointer = startWalCheckpointer(sqlite, file, { intervalMs: 20 });
    try {
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(16_000);
      const insert = sqlite.prepare('insert into t (body) values (?)');
      // About 2,500 pages: past SQLite's own 1,000-page threshold, below the backstop.
      for (let batch = 0; batch < 25; batch += 1) sqlite.transaction(() => {
        for (let i = 0; i < 100; i += 1) insert.run('x'.repeat(4000));
      })();
      const pages = 2500 * 4096;
      await eventually(async () => fs.statSync(file).size > pages, 5000);
      expect(sqlite.prepare('select count(*) as n from t').get()).toEqual({ n: 2500 });
    } finally {
      await checkpointer.stop();
      sqlite.close();
    }
  });

  it('hands checkpoints back to the main connection when the thread fails', async () => {
    const { sqlite, file } = open();
    const errors: Error[] = [];
    const checkpointer = startWalCheckpointer(sqlite, `${file}.missing`, { onError: (error) => errors.push(error) });
    await eventually(async () => errors.length > 0, 5000);
    expect(errors[0]!.message).toMatch(/WAL checkpoint thread: .*(does not exist|unable to open)/);
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.stop();
    sqlite.close();
  });
});
