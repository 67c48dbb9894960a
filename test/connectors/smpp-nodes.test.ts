/**
 * Several nodes on one PostgreSQL (F32): exactly one node holds an SMPP account's bind; sends
 * taken by a node without it reach it through the outbox; when the holder dies, another node takes
 * the bind over within the lease time and sending continues.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import type { AppContext } from '../../src/context.js';
import { registerJobs } from '../../src/jobs/index.js';
import { startSmscEmulator, type SmscEmulator } from '../../src/providers/smpp/smpp.emulator.js';
import type { SmppHost } from '../../src/providers/smpp/smpp.host.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, TEST_DATABASE, type Tenant, type TestApp, createNodeContext } from '../helper.js';

const NUMBER = '+15550100300';
const TIMING = { scanMs: 100, leaseMs: 1500, outboxPollMs: 25 };

// SQLite is one process by design (one file, one writer): there the only node holds every bind.
describe.skipIf(TEST_DATABASE !== 'postgres')('SMPP bind across two nodes (PostgreSQL)', () => {
  let first: TestApp;
  let second: AppContext;
  let tenant: Tenant;
  let smsc: SmscEmulator;
  let accountId: string;
  const hostOf = (ctx: AppContext) => ctx.sessions.host('smpp') as SmppHost;

  beforeAll(async () => {
    first = await createTestApp();
    second = await createNodeContext(loadConfig({ DATABASE_URL: first.ctx.config.databaseUrl, DATA_DIR: first.dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://switchboard.test', ALLOW_PRIVATE_URLS: '127.0.0.1/32' }), { queue: { pollMs: 20, backoffBaseMs: 20 } });
    registerJobs(second);
    second.queue.start();
    tenant = await createTestTenant(first.ctx);
    smsc = await startSmscEmulator({ systemId: 'nodes', password: 'pw', receiptDelayMs: 5 });
    for (const ctx of [first.ctx, second]) {
      hostOf(ctx).timing = { ...TIMING };
      ctx.sessions.start();
    }
    ({ accountId } = await createAccountAndNumber(first.app, tenant, {
      type: 'smpp',
      credentials: { host: '127.0.0.1', port: String(smsc.port), systemId: 'nodes', password: 'pw', enquireLinkSeconds: '1', reconnectSeconds: '1', throughput: '500' },
      number: NUMBER,
      mps: 0,
    }));
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await smsc.close();
  });

  const send = async (body: string) => {
    const response = await first.app.inject({ method: 'POST', url: '/api/v1/messages', headers: tenant.auth, payload: { from: NUMBER, to: '+15557770100', body } });
    expect(response.statusCode).toBe(202);
    return response.json().id as string;
  };
  const delivered = (id: string) => eventually(async () => (await first.ctx.db.selectFrom('messages').select('status').where('id', '=', id).executeTakeFirst())?.status === 'delivered', 15_000);

  it('binds from exactly one node, and sends run on the other node reach it', async () => {
    await eventually(async () => (await hostOf(first.ctx).state(accountId))?.state === 'bound', 8000);
    // Several scans of both nodes later there is still one bind.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(smsc.bound).toHaveLength(1);
    expect(smsc.binds).toBe(1);
    const holders = [first.ctx, second].filter((ctx) => hostOf(ctx).session(accountId) !== null);
    expect(holders).toHaveLength(1);
    expect((await hostOf(second).state(accountId))?.node).toBe(hostOf(holders[0]!).node);
    // Only the node without the bind runs send jobs: they reach the bind through the outbox.
    const holderCtx = holders[0]!;
    await holderCtx.queue.stop();
    try {
      const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => send(`node message ${i}`)));
      await Promise.all(ids.map(delivered));
    } finally {
      holderCtx.queue.start();
    }
    expect(smsc.submits.map((s) => s.text).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `node message ${i}`).sort());
    expect(await first.ctx.db.selectFrom('smpp_outbox').selectAll().execute()).toHaveLength(0);
    // And both nodes' workers together: still once each.
    const more = await Promise.all(Array.from({ length: 6 }, (_, i) => send(`both nodes ${i}`)));
    await Promise.all(more.map(delivered));
    expect(smsc.submits.filter((s) => s.text.startsWith('both nodes'))).toHaveLength(6);
  });

  it('fails over to the other node within the lease time when the holder dies', async () => {
    const holder = [first.ctx, second].find((ctx) => hostOf(ctx).session(accountId) !== null)!;
    const survivor = holder === second ? first.ctx : second;
    const binds = smsc.binds;
    const diedAt = Date.now();
    hostOf(holder).halt();
    await eventually(async () => hostOf(survivor).session(accountId) !== null && (await hostOf(survivor).state(accountId))?.state === 'bound', 10_000);
    const takeover = Date.now() - diedAt;
    expect(takeover).toBeLessThan(TIMING.leaseMs + 2000);
    expect(smsc.binds).toBe(binds + 1);
    expect((await hostOf(first.ctx).state(accountId))?.node).toBe(hostOf(survivor).node);
    const id = await send('after failover');
    await delivered(id);
  });
});
