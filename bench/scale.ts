/**
 * Benchmark (P5, issue 11): the inbox at scale. Seeds BENCH_MESSAGES messages (default 1,000,000)
 * in BENCH_CONVERSATIONS conversations (20,000) on BENCH_NUMBERS numbers (50) directly through SQL
 * in batches, then measures p50/p95 through the real HTTP API, one request at a time:
 * conversation list, thread open (latest 50), message search by a word, and by a phone number
 * typed in another format. Next to it, a bare node:http server answering a JSON body of the same
 * size, measured the same way in the same run. BENCH_DATABASE=postgres runs it on the local
 * PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test) in a fresh schema,
 * dropped at the end unless BENCH_KEEP=1 (to read query plans on the seeded data afterwards).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { api, cli, ensureBuilt, fmt, freePort, freshDataDir, startSwitchboard, type BenchServer } from './lib.js';

const DATABASE = process.env.BENCH_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const CONVERSATIONS = Math.min(Number(process.env.BENCH_CONVERSATIONS ?? 20_000), MESSAGES);
const NUMBERS = Number(process.env.BENCH_NUMBERS ?? 50);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const KEEP = process.env.BENCH_KEEP === '1';
const BATCH = 5_000;

/** Message words: a Zipf-like vocabulary, so some words are everywhere and most are rare. */
const VOCABULARY = ('hi hello thanks ok yes no please order delivery today tomorrow time call back soon price quote '
  + 'invoice payment receipt account appointment confirm cancel reschedule address door parcel package driver store open '
  + 'closed hours monday tuesday wednesday thursday friday weekend morning afternoon evening question help support ticket '
  + 'refund return exchange size color stock available reserved pickup ready waiting minutes later sorry great perfect '
  + 'sure maybe photo picture attached link website email number code verification reminder balance due overdue plan '
  + 'upgrade renewal contract signature document form lunch dinner table booking guests party birthday gift voucher coupon').split(' ');
const SEARCH_WORD = 'voucher';

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const random = seededRandom(11);
const zipfWeights = VOCABULARY.map((_, rank) => 1 / (rank + 1));
const zipfTotal = zipfWeights.reduce((a, b) => a + b, 0);
function word(): string {
  let pick = random() * zipfTotal;
  for (let i = 0; i < VOCABULARY.length; i += 1) {
    pick -= zipfWeights[i]!;
    if (pick <= 0) return VOCABULARY[i]!;
  }
  return VOCABULARY[VOCABULARY.length - 1]!;
}
function body(): string {
  const count = 4 + Math.floor(random() * 9);
  return Array.from({ length: count }, word).join(' ');
}

const ourNumber = (i: number) => `+1415555${String(1000 + i).padStart(4, '0')}`;
const remoteNumber = (i: number) => `+1212${String(2_000_000 + i).padStart(7, '0')}`;
/** "+12122001234" typed as "(212) 200-1234". */
const typedLikeAPerson = (e164: string) => `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;

interface Seed {
  tenantId: string;
  numbers: { id: string; number: string; accountId: string }[];
}

const CONVERSATION_COLUMNS = ['id', 'tenant_id', 'number_id', 'our_number', 'remote_key', 'remote_numbers', 'last_message_id', 'last_message_at', 'updated_at', 'created_at', 'unread_count'];
const MESSAGE_COLUMNS = ['id', 'tenant_id', 'conversation_id', 'number_id', 'direction', 'from_number', 'to_numbers', 'body', 'encoding', 'segments', 'status', 'provider_account_id', 'provider_type', 'provider_message_id', 'created_at'];

/** Yields conversations with their messages in batches of about BATCH messages. */
function* batches(seed: Seed, counts: { word: number }): Generator<{ conversations: unknown[][]; messages: unknown[][] }> {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const spacingMs = Math.max(1, Math.floor((300 * 86_400_000) / MESSAGES));
  let conversations: unknown[][] = [];
  let messages: unknown[][] = [];
  let sequence = 0;
  for (let c = 0; c < CONVERSATIONS; c += 1) {
    const number = seed.numbers[c % seed.numbers.length]!;
    const remote = remoteNumber(c);
    const conversationId = `cv_bench${String(c).padStart(8, '0')}`;
    const share = Math.floor(MESSAGES / CONVERSATIONS) + (c < MESSAGES % CONVERSATIONS ? 1 : 0);
    let lastId = '';
    let lastAt = '';
    for (let m = 0; m < share; m += 1) {
      sequence += 1;
      // Interleaved in time across conversations, as real traffic is.
      const at = new Date(start + (m * CONVERSATIONS + c) * spacingMs).toISOString();
      const id = `ms_bench${String(sequence).padStart(10, '0')}`;
      const inbound = (m + c) % 2 === 0;
      const text = body();
      if (text.split(' ').includes(SEARCH_WORD)) counts.word += 1;
      messages.push([id, seed.tenantId, conversationId, number.id, inbound ? 'inbound' : 'outbound', inbound ? remote : number.number, JSON.stringify([inbound ? number.number : remote]), text, 'GSM-7', 1, inbound ? 'received' : 'delivered', number.accountId, 'sandbox', `SB${sequence}`, at]);
      lastId = id;
      lastAt = at;
    }
    conversations.push([conversationId, seed.tenantId, number.id, number.number, remote, JSON.stringify([remote]), lastId || null, lastAt || null, lastAt || new Date(start).toISOString(), new Date(start).toISOString(), 0]);
    if (messages.length >= BATCH) {
      yield { conversations, messages };
      conversations = [];
      messages = [];
    }
  }
  if (conversations.length) yield { conversations, messages };
}

async function seedSqlite(file: string, seed: Seed, counts: { word: number }): Promise<void> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // Index pages for a million rows stay in memory while loading (the default cache is 2 MB).
  db.pragma('cache_size = -1000000');
  const insertConversation = db.prepare(`insert into conversations (${CONVERSATION_COLUMNS.join(',')}) values (${CONVERSATION_COLUMNS.map(() => '?').join(',')})`);
  const insertMessage = db.prepare(`insert into messages (${MESSAGE_COLUMNS.join(',')}) values (${MESSAGE_COLUMNS.map(() => '?').join(',')})`);
  const load = db.transaction((batch: { conversations: unknown[][]; messages: unknown[][] }) => {
    for (const row of batch.conversations) insertConversation.run(...row);
    for (const row of batch.messages) insertMessage.run(...row);
  });
  let done = 0;
  for (const batch of batches(seed, counts)) {
    load(batch);
    done += batch.messages.length;
    progress(done);
  }
  // What the server's background indexing (src/db/message-search-backlog.ts) does as messages arrive.
  db.exec('insert into messages_fts(rowid, body) select m.rowid, m.body from messages_fts_backlog b join messages m on m.rowid = b.message_rowid order by b.message_rowid; delete from messages_fts_backlog;');
  db.exec('analyze');
  db.close();
}

async function seedPostgres(url: string, seed: Seed, counts: { word: number }): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('set synchronous_commit = off');
  const unnestInsert = (table: string, columns: string[], types: string[]) =>
    `insert into ${table} (${columns.join(',')}) select * from unnest(${columns.map((_, i) => `$${i + 1}::${types[i]}[]`).join(',')})`;
  const conversationSql = unnestInsert('conversations', CONVERSATION_COLUMNS, ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'int']);
  const messageSql = unnestInsert('messages', MESSAGE_COLUMNS, ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'int', 'text', 'text', 'text', 'text', 'text']);
  const columnsOf = (rows: unknown[][], width: number) => Array.from({ length: width }, (_, i) => rows.map((row) => row[i]));
  let done = 0;
  for (const batch of batches(seed, counts)) {
    await client.query('begin');
    if (batch.conversations.length) await client.query(conversationSql, columnsOf(batch.conversations, CONVERSATION_COLUMNS.length));
    if (batch.messages.length) await client.query(messageSql, columnsOf(batch.messages, MESSAGE_COLUMNS.length));
    await client.query('commit');
    done += batch.messages.length;
    progress(done);
  }
  await client.query('analyze conversations');
  await client.query('analyze messages');
  await client.end();
}

let lastProgress = 0;
function progress(done: number): void {
  if (Date.now() - lastProgress < 5_000 && done < MESSAGES) return;
  lastProgress = Date.now();
  console.log(`  seeded ${fmt(done)} / ${fmt(MESSAGES)} messages`);
}

async function freshPostgresSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `bench_scale_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** p50/p95 of `SAMPLES` sequential GETs; every answer must be a 200 with items. */
async function measure(label: string, next: () => { url: string; headers: Record<string, string> }, expectItems = true): Promise<{ label: string; p50: number; p95: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SAMPLES + 5; i += 1) {
    const { url, headers } = next();
    const started = performance.now();
    const response = await fetch(url, { headers });
    const text = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${label}: ${url} → ${response.status} ${text.slice(0, 300)}`);
    if (expectItems && JSON.parse(text).items.length === 0) throw new Error(`${label}: ${url} found nothing`);
    bytes = text.length;
    if (i >= 5) times.push(elapsed); // the first few warm the connection and caches
  }
  times.sort((a, b) => a - b);
  return { label, p50: percentile(times, 50), p95: percentile(times, 95), bytes };
}

async function bareReference(bytes: number): Promise<{ p50: number; p95: number }> {
  const port = freePort();
  const payload = JSON.stringify({ items: 'x'.repeat(Math.max(0, bytes - 12)) });
  const child = spawn('node', ['-e', `const b=${JSON.stringify(payload)};require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json'});s.end(b)}).listen(${port},'127.0.0.1')`], { stdio: 'inherit' });
  await new Promise((r) => setTimeout(r, 500));
  try {
    const result = await measure('bare', () => ({ url: `http://127.0.0.1:${port}/`, headers: {} }), false);
    return result;
  } finally {
    child.kill();
  }
}

async function main() {
  ensureBuilt();
  const port = freePort();
  const dataDir = freshDataDir('scale');
  const postgres = DATABASE === 'postgres' ? await freshPostgresSchema() : null;
  const databaseUrl = postgres?.url ?? `sqlite:${path.join(dataDir, 'sb.db')}`;
  const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PUBLIC_URL: `http://127.0.0.1:${port}`, SWITCHBOARD_WORKERS: '0' };
  let server: BenchServer | null = await startSwitchboard(env);
  try {
    const tenant = cli(env, ['tenant', 'create', 'Bench']);
    const key = cli(env, ['apikey', 'create', '--tenant', 'Bench']).key as string;
    const account = await api(server, key, 'POST', '/provider-accounts', { type: 'sandbox', name: 'Sandbox', credentials: {} });
    const numbers: Seed['numbers'] = [];
    for (let i = 0; i < NUMBERS; i += 1) {
      const created = await api(server, key, 'POST', '/numbers', { number: ourNumber(i), providerAccountId: account.id });
      numbers.push({ id: created.id, number: ourNumber(i), accountId: account.id });
    }
    await server.stop();
    server = null;

    console.log(`\nSeeding ${fmt(MESSAGES)} messages in ${fmt(CONVERSATIONS)} conversations on ${NUMBERS} numbers (${DATABASE})`);
    const counts = { word: 0 };
    const seedStarted = Date.now();
    const seed = { tenantId: tenant.id as string, numbers };
    if (postgres) await seedPostgres(postgres.url, seed, counts);
    else await seedSqlite(path.join(dataDir, 'sb.db'), seed, counts);
    const seedSeconds = (Date.now() - seedStarted) / 1000;

    server = await startSwitchboard(env);
    const headers = { authorization: `Bearer ${key}` };
    const base = `${server.url}/api/v1`;
    const pick = seededRandom(7);
    const someConversation = () => Math.floor(pick() * CONVERSATIONS);
    const conversationIdOf = (c: number) => `cv_bench${String(c).padStart(8, '0')}`;
    const q = (text: string) => encodeURIComponent(text);

    const results = [
      await measure('conversation list (latest 50)', () => ({ url: `${base}/conversations?limit=50`, headers })),
      await measure('thread open (latest 50 messages)', () => ({ url: `${base}/conversations/${conversationIdOf(someConversation())}/messages?limit=50`, headers })),
      await measure(`message search, word "${SEARCH_WORD}"`, () => ({ url: `${base}/messages?q=${SEARCH_WORD}&limit=50`, headers })),
      await measure(`conversation search, word "${SEARCH_WORD}"`, () => ({ url: `${base}/conversations?q=${SEARCH_WORD}&limit=50`, headers })),
      await measure('conversation search, number as "(212) 200-1234"', () => ({ url: `${base}/conversations?q=${q(typedLikeAPerson(remoteNumber(someConversation())))}`, headers })),
      await measure('message search, number as "(212) 200-1234"', () => ({ url: `${base}/messages?q=${q(typedLikeAPerson(remoteNumber(someConversation())))}&limit=50`, headers })),
    ];
    const bare = await bareReference(Math.max(...results.map((r) => r.bytes)));

    console.log(`\nInbox at scale (${DATABASE}): ${fmt(MESSAGES)} messages, ${fmt(CONVERSATIONS)} conversations, ${NUMBERS} numbers; seeded in ${fmt(seedSeconds, 1)} s`);
    console.log(`  "${SEARCH_WORD}" is in ${fmt(counts.word)} messages; ${SAMPLES} sequential requests each; cores ${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (const r of results) console.log(`  ${r.label.padEnd(50)} p50 ${fmt(r.p50, 1).padStart(7)} ms   p95 ${fmt(r.p95, 1).padStart(7)} ms   ${r.p95 < 50 ? 'ok' : 'OVER'} (target p95 < 50 ms)`);
    console.log(`  ${'bare node:http, same-size JSON'.padEnd(50)} p50 ${fmt(bare.p50, 1).padStart(7)} ms   p95 ${fmt(bare.p95, 1).padStart(7)} ms`);
  } finally {
    await server?.stop();
    if (KEEP) console.log(`  kept: DATA_DIR=${dataDir} DATABASE_URL=${databaseUrl}`);
    else await postgres?.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
