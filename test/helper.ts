/**
 * Integration test harness: a real app on a fresh database per test file, SQLite (a temp file)
 * or PostgreSQL (a fresh schema in the local server) chosen by TEST_DATABASE.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/env.js';
import { createContext, type AppContext } from '../src/context.js';
import { registerJobs } from '../src/jobs/index.js';
import { createApiKey, createTenant, createUser } from '../src/services/tenants.js';

export const TEST_DATABASE = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  dataDir: string;
  close(): Promise<void>;
}

async function freshDatabaseUrl(dataDir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (TEST_DATABASE === 'sqlite') return { url: `sqlite:${path.join(dataDir, 'test.db')}`, drop: async () => undefined };
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: () => dropTestSchema(schema),
  };
}

/**
 * Kysely's migrator reads the catalogue of every schema in the database; a schema dropped by
 * another test file in the middle of that read fails it ("schema … does not exist"). Migrations
 * hold this advisory lock shared and drops hold it exclusively, so the two never overlap.
 */
const SCHEMA_LOCK = 727_001;

export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [SCHEMA_LOCK]);
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

/** A second node's context on an existing test database (migrations under the schema lock). */
export function createNodeContext(...args: Parameters<typeof createContext>): ReturnType<typeof createContext> {
  return whileMigrating(() => createContext(...args));
}

async function whileMigrating<T>(work: () => Promise<T>): Promise<T> {
  if (TEST_DATABASE !== 'postgres') return work();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock_shared($1)', [SCHEMA_LOCK]);
    return await work();
  } finally {
    await client.end();
  }
}

export async function createTestApp(options: { env?: Record<string, string>; workers?: boolean; fetch?: typeof fetch; publicUrl?: string } = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-test-'));
  const database = await freshDatabaseUrl(dataDir);
  const config = loadConfig({
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PUBLIC_URL: options.publicUrl ?? 'http://switchboard.test',
    // Emulators and receivers listen on loopback; tests about the guard override this.
    ALLOW_PRIVATE_URLS: '127.0.0.1/32,::1/128',
    ...options.env,
  });
  const ctx = await whileMigrating(() => createContext(config, { queue: { pollMs: 20, backoffBaseMs: 20 }, fetch: options.fetch }));
  registerJobs(ctx);
  const app = await buildApp(ctx);
  await app.ready();
  if (options.workers !== false) ctx.queue.start();
  return {
    app,
    ctx,
    dataDir,
    async close() {
      await app.close();
      await ctx.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Tenant {
  tenantId: string;
  apiKey: string;
  auth: { authorization: string };
}

export async function createTestTenant(ctx: AppContext, name = 'Acme'): Promise<Tenant> {
  const tenant = await createTenant(ctx.db, name);
  const key = await createApiKey(ctx.db, tenant.id, 'test');
  return { tenantId: tenant.id, apiKey: key.key, auth: { authorization: `Bearer ${key.key}` } };
}

export async function createTestUser(ctx: AppContext, tenantId: string, input: Parameters<typeof createUser>[2]) {
  return createUser(ctx.db, tenantId, input);
}

/** Creates a provider account and a number on it through the API; returns their ids. */
export async function createAccountAndNumber(
  app: FastifyInstance,
  tenant: Tenant,
  input: { type: string; credentials?: Record<string, string>; baseUrl?: string; number: string; mps?: number | null },
): Promise<{ accountId: string; numberId: string; webhookUrl: string }> {
  const account = await app.inject({ method: 'POST', url: '/api/v1/provider-accounts', headers: tenant.auth, payload: { type: input.type, name: `${input.type} test`, credentials: input.credentials ?? {}, baseUrl: input.baseUrl } });
  if (account.statusCode !== 201) throw new Error(`account create failed: ${account.body}`);
  const number = await app.inject({ method: 'POST', url: '/api/v1/numbers', headers: tenant.auth, payload: { number: input.number, providerAccountId: account.json().id, mps: input.mps ?? null } });
  if (number.statusCode !== 201) throw new Error(`number create failed: ${number.body}`);
  return { accountId: account.json().id, numberId: number.json().id, webhookUrl: account.json().webhookUrls.inbound };
}

/** Polls until `check` returns a truthy value (status changes arrive asynchronously). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
