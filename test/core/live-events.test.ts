/**
 * P4 (issue 11): an inbound text reaches live subscribers when it is committed, not when its
 * follow-up job gets to it (a busy queue made that seconds late); durable sinks (event webhooks)
 * still run once, from the job, so a crash between commit and announcement loses nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/services/events.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const OURS = '+15550002222';

describe('live announcement of inbound messages', () => {
  let harness: TestApp;
  let tenant: Tenant;
  const live: AppEvent[] = [];
  const sunk: AppEvent[] = [];

  beforeAll(async () => {
    harness = await createTestApp({ workers: false });
    tenant = await createTestTenant(harness.ctx);
    await createAccountAndNumber(harness.app, tenant, { type: 'sandbox', number: OURS });
    harness.ctx.events.subscribe((event) => live.push(event));
    harness.ctx.events.addSink(async (event) => void sunk.push(event));
  });
  afterAll(() => harness.close());

  const inject = (payload: object) => harness.app.inject({ method: 'POST', url: '/api/v1/sandbox/inbound', headers: tenant.auth, payload });
  const received = (events: AppEvent[], id: string) => events.filter((e) => e.type === 'message.received' && (e.data as { id: string }).id === id);

  it('announces a text to live subscribers at commit, before any worker runs, and to sinks once from the job', async () => {
    const response = await inject({ from: '+15557650001', to: OURS, body: 'Are you open today?' });
    expect(response.statusCode).toBe(202);
    const id = response.json().id as string;
    expect(received(live, id)).toHaveLength(1);
    expect(received(live, id)[0]).toMatchObject({ tenantId: tenant.tenantId, data: { body: 'Are you open today?', conversationId: response.json().conversationId } });
    expect(live.some((e) => e.type === 'conversation.updated' && (e.data as { id: string }).id === response.json().conversationId)).toBe(true);
    expect(received(sunk, id)).toHaveLength(0);

    harness.ctx.queue.start();
    await eventually(async () => received(sunk, id).length === 1);
    await harness.ctx.queue.drain();
    expect(received(sunk, id)).toHaveLength(1);
    expect(received(live, id)).toHaveLength(1);
    await harness.ctx.queue.stop();
  });

  it('announces a message with media only once its media has been dealt with', async () => {
    const response = await inject({ from: '+15557650002', to: OURS, body: 'photo', media: [{ url: 'http://127.0.0.1:9/photo.png', contentType: 'image/png' }] });
    expect(response.statusCode).toBe(202);
    const id = response.json().id as string;
    expect(received(live, id)).toHaveLength(0);
  });
});
