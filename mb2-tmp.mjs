import Database from 'better-sqlite3';
import fs from 'node:fs';
function run(label, setup, B = 46) {
  fs.copyFileSync('/tmp/mb.db', '/tmp/mb2.db'); for (const s of ['-wal','-shm']) fs.rmSync('/tmp/mb2.db'+s, {force:true});
  const db = new Database('/tmp/mb2.db'); db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('cache_size = -32768');
  setup?.(db);
  const conv = db.prepare('select conversation_id, tenant_id, number_id from messages limit 1').get();
  const ins = db.prepare(`insert into messages (id, tenant_id, conversation_id, number_id, direction, from_number, to_numbers, body, encoding, segments, status, provider_account_id, provider_type, provider_message_id, created_at, media_count) values (?, ?, ?, ?, 'inbound', '+15551234567', '["+15550001111"]', ?, 'GSM-7', 1, 'received', 'env_twilio', 'twilio', ?, ?, 0)`);
  const begin = db.prepare('begin'), commit = db.prepare('commit');
  const N = 20000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i += B) {
    begin.run();
    for (let j = 0; j < B; j++) {
      const k = i + j, now = new Date().toISOString();
      ins.run('msg_x' + k + Math.random().toString(36).slice(2), conv.tenant_id, conv.conversation_id, conv.number_id, `Inbound benchmark ${k} ${Math.random().toString(16).slice(2, 10)}`, 'SMX' + k + Math.random(), now);
    }
    commit.run();
  }
  const total = Number(process.hrtime.bigint() - t0) / N / 1000;
  console.log(label.padEnd(34), 'total/msg', total.toFixed(1));
  db.close();
}
const recreate = (opts) => (db) => { db.exec(`drop trigger messages_fts_insert; drop trigger messages_fts_delete; drop trigger messages_fts_update; drop table messages_fts; create virtual table messages_fts using fts5(body, content='messages', content_rowid='rowid', ${opts}); create trigger messages_fts_insert after insert on messages begin insert into messages_fts(rowid, body) values (new.rowid, new.body); end;`); };
//run('as is');
//run('no fts', (db) => db.exec('drop trigger messages_fts_insert'));
//run('fresh fts same opts', recreate(`tokenize='unicode61 remove_diacritics 2'`));
//run('fresh detail=none', recreate(`tokenize='unicode61 remove_diacritics 2', detail=none`));
//run('fresh detail=column', recreate(`tokenize='unicode61 remove_diacritics 2', detail=column`));
//run('as is automerge 0', (db) => db.exec(`insert into messages_fts(messages_fts, rank) values ('automerge', 0)`));
//run('as is automerge 16', (db) => db.exec(`insert into messages_fts(messages_fts, rank) values ('automerge', 16)`));
//run('as is batch 500', undefined, 500);
//run('no fts batch 500', (db) => db.exec('drop trigger messages_fts_insert'), 500);
//run('fresh columnsize=0', recreate(`tokenize='unicode61 remove_diacritics 2', columnsize=0`));
//run('fresh columnsize=0 detail=none', recreate(`tokenize='unicode61 remove_diacritics 2', columnsize=0, detail=none`));
//run('fresh ascii tokenizer', recreate(`tokenize='ascii'`));
//run('fresh unicode61 plain', recreate(`tokenize='unicode61'`));
//run('as is', (db) => db.pragma('foreign_keys = ON'));
//run('as is temp_store memory', (db) => { db.pragma('foreign_keys = ON'); db.pragma('temp_store = MEMORY'); });
//run('no fts', (db) => { db.pragma('foreign_keys = ON'); db.exec('drop trigger messages_fts_insert'); });
//run('as is', (db) => db.pragma('foreign_keys = ON'));
//run('as is temp_store memory', (db) => { db.pragma('foreign_keys = ON'); db.pragma('temp_store = MEMORY'); });
for (const n of [1000, 4000, 16000, 0, 1000, 4000, 16000, 0]) run('tmp mem, ckpt ' + n, (db) => { db.pragma('foreign_keys = ON'); db.pragma('temp_store = MEMORY'); db.pragma('wal_autocheckpoint = ' + n); });
