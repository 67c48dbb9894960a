import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createAccountAndNumber, createTestApp, createTestTenant, dropTestSchema, eventually, TEST_DATABASE, type TestApp } from '../helper.js';

const SECRET_KEY = 'workflow-restart-test-secret-key-0123456789';
const OURS = '+15550109001';
const apps: TestApp[] = [];
let firstUrl = '';
let firstDataDir = '';

afterAll(async () => {
  for (const app of apps.reverse()) await app.close();
  // The first app was stopped without dropping its database; its PostgreSQL schema goes here.
  const schema = /search_path%3D(t_[a-z0-9_]+)|search_path=(t_[a-z0-9_]+)/.exec(firstUrl);
  if (TEST_DATABASE === 'postgres' && schema) {
    await dropTestSchema(schema[1] ?? schema[2]!);
  }
  if (firstDataDir) fs.rmSync(firstDataDir, { recursive: true, force: true });
});

describe('durable workflow waits', () => {
  it('a run waiting at a wait step continues after the app restarts on the same database', async () => {
    const first = await createTestApp({ env: { SECRET_KEY } });
    firstUrl = first.ctx.config.databaseUrl;
    firstDataDir = first.dataDir;
    const tenant = await createTestTenant(first.ctx, 'Restart Co');
    await createAccountAndNumber(first.app, tenant, { type: 'sandbox', number: OURS });
    const api = (app: TestApp, method: 'GET' | 'POST', url: string, payload?: object) => app.app.inject({ method, url: `/api/v1${url}`, headers: tenant.auth, payload });
    await api(first, 'POST', '/contacts', { name: 'Wendy Wait', phones: ['+15557009001'] });
    const wf = (
      await api(first, 'POST', '/workflows', {
        name: 'Follow up later',
        trigger: { type: 'message.received', bodyGlob: 'book*' },
        steps: [{ type: 'add_tag', tag: 'asked' }, { type: 'wait', minutes: 90 }, { type: 'send_message', text: 'Still want to book, {{ contact.first_name }}?' }],
      })
    ).json();
    await api(first, 'POST', '/sandbox/inbound', { from: '+15557009001', to: OURS, body: 'Book me in' });
    const waiting = await eventually(async () => (await api(first, 'GET', `/workflows/${wf.id}/runs`)).json().items.find((r: { status: string }) => r.status === 'waiting'));
    expect(waiting.steps.map((s: { type: string; outcome: string }) => [s.type, s.outcome])).toEqual([['add_tag', 'ok'], ['wait', 'waiting']]);
    expect(Date.parse(waiting.resumeAt) - Date.now()).toBeGreaterThan(89 * 60_000);
    // The delayed job (a finished run step may linger until the queue's batched delete).
    const job = await first.ctx.db.selectFrom('jobs').selectAll().where('name', '=', 'workflow.run').where('dead', '=', 0).where('run_at', '>', new Date().toISOString()).executeTakeFirstOrThrow();
    expect(job.run_at).toBe(waiting.resumeAt);

    // Stop the first app (its database stays), as a restart or a crashed node would.
    await first.app.close();
    await first.ctx.close();
    // Ninety minutes pass while nothing runs.
    const second = await createTestApp({ env: { SECRET_KEY, DATABASE_URL: firstUrl } });
    apps.push(second);
    await second.ctx.db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', job.id).execute();
    second.ctx.queue.wake();

    const done = await eventually(async () => (await api(second, 'GET', `/workflows/${wf.id}/runs`)).json().items.find((r: { status: string }) => r.status === 'completed'), 10_000);
    expect(done.steps.map((s: { type: string; outcome: string }) => [s.type, s.outcome])).toEqual([['add_tag', 'ok'], ['wait', 'waiting'], ['send_message', 'ok']]);
    const sent = await second.ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'outbound').where('to_numbers', '=', JSON.stringify(['+15557009001'])).execute();
    expect(sent.map((m) => m.body)).toEqual(['Still want to book, Wendy?']);
  }, 60_000);

  it('another node takes over a waiting run when the node that started it stops working', async () => {
    const nodeA = await createTestApp({ env: { SECRET_KEY } });
    const nodeB = await createTestApp({ env: { SECRET_KEY, DATABASE_URL: nodeA.ctx.config.databaseUrl }, workers: false });
    try {
      const tenant = await createTestTenant(nodeA.ctx, 'Two Nodes');
      await createAccountAndNumber(nodeA.app, tenant, { type: 'sandbox', number: '+15550109002' });
      const call = (node: TestApp, method: 'GET' | 'POST', url: string, payload?: object) => node.app.inject({ method, url: `/api/v1${url}`, headers: tenant.auth, payload });
      await call(nodeA, 'POST', '/contacts', { name: 'Nina Node', phones: ['+15557009002'] });
      const wf = (await call(nodeA, 'POST', '/workflows', { name: 'Nudge', trigger: { type: 'message.received' }, steps: [{ type: 'wait', minutes: 10 }, { type: 'send_message', text: 'Nudge for {{ contact.first_name }}' }] })).json();
      await call(nodeA, 'POST', '/sandbox/inbound', { from: '+15557009002', to: '+15550109002', body: 'hello' });
      await eventually(async () => (await call(nodeA, 'GET', `/workflows/${wf.id}/runs`)).json().items[0]?.status === 'waiting', 10_000);
      // Node A stops claiming work; node B starts; the wait ends.
      await nodeA.ctx.queue.stop(1000);
      nodeB.ctx.queue.start();
      await nodeB.ctx.db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('name', '=', 'workflow.run').where('dead', '=', 0).execute();
      nodeB.ctx.queue.wake();
      const done = await eventually(async () => (await call(nodeB, 'GET', `/workflows/${wf.id}/runs`)).json().items.find((r: { status: string }) => r.status === 'completed'), 10_000);
      expect(done.steps.map((s: { outcome: string }) => s.outcome)).toEqual(['waiting', 'ok']);
      const sent = await nodeB.ctx.db.selectFrom('messages').select('body').where('direction', '=', 'outbound').where('to_numbers', '=', JSON.stringify(['+15557009002'])).execute();
      expect(sent.map((m) => m.body)).toEqual(['Nudge for Nina']);
    } finally {
      await nodeB.close();
      await nodeA.close();
    }
  }, 60_000);
});
