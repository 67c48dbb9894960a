import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';
import { startReceiver, type Receiver } from './webhooks-receiver.js';

const OURS = '+15550108001';
let t: TestApp;
let tenant: Tenant;
let numberId: string;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp();
  tenant = await createTestTenant(t.ctx, 'Harbour Dental');
  ({ numberId } = await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: OURS }));
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url: `/api/v1${url}`, headers: tenant.auth, payload });
const inbound = async (from: string, body: string) => {
  const res = await api('POST', '/sandbox/inbound', { from, to: OURS, body });
  expect(res.statusCode, res.body).toBe(202);
  return res.json() as { id: string };
};
const contact = async (name: string, phone: string, extra: object = {}) => (await api('POST', '/contacts', { name, phones: [phone], ...extra })).json() as { id: string };
const workflow = async (payload: object) => {
  const res = await api('POST', '/workflows', payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; signingSecret: string };
};
const runs = async (id: string) => (await api('GET', `/workflows/${id}/runs`)).json().items as Array<{ status: string; contactId: string | null; steps: Array<{ type: string; outcome: string; detail?: string; at: string; messageId?: string; response?: { statusCode: number; body: string } }>; error: string | null; trigger: { messageId: string } }>;
const finished = (id: string, count = 1) => eventually(async () => {
  const items = await runs(id);
  return items.length >= count && items.every((r) => !['running', 'waiting'].includes(r.status)) ? items : null;
});
const outboundTo = (phone: string) => t.ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'outbound').where('to_numbers', '=', JSON.stringify([phone])).orderBy('created_at').execute();

describe('workflows', () => {
  it('incoming YES* sends the template to the contact and sets confirmed = yes; other replies do nothing', async () => {
    const ann = await contact('Ann Lee', '+15557008001');
    const template = (await api('POST', '/templates', { name: 'Thanks', body: 'Thanks, see you {{ contact.first_name }}' })).json();
    const wf = await workflow({
      name: 'Confirm appointment',
      trigger: { type: 'message.received', bodyGlob: 'YES*' },
      steps: [{ type: 'send_message', templateId: template.id }, { type: 'set_contact_field', field: 'confirmed', value: 'yes' }],
    });
    expect(wf.signingSecret).toMatch(/^whsec_/);

    await inbound('+15557008001', 'no thanks');
    const yes = await inbound('+15557008001', 'yes please');
    const [run] = await finished(wf.id);
    expect(await runs(wf.id)).toHaveLength(1);
    expect(run).toMatchObject({ status: 'completed', contactId: ann.id, trigger: { messageId: yes.id }, error: null });
    expect(run!.steps.map((s) => [s.type, s.outcome])).toEqual([['send_message', 'ok'], ['set_contact_field', 'ok']]);
    expect(run!.steps.every((s) => !Number.isNaN(Date.parse(s.at)))).toBe(true);
    const sent = await outboundTo('+15557008001');
    expect(sent.map((m) => m.body)).toEqual(['Thanks, see you Ann']);
    expect(sent[0]!.from_number).toBe(OURS);
    expect(run!.steps[0]!.messageId).toBe(sent[0]!.id);
    const fields = (await api('GET', `/contacts/${ann.id}`)).json().fields;
    expect(fields).toMatchObject({ confirmed: 'yes' });

    const audit = (await api('GET', '/audit-log?limit=100')).json();
    expect(audit.items.some((e: { action: string }) => e.action === 'workflow.created')).toBe(true);
  });

  it('runs once per contact matched to the remote number, and once without a contact only when set to', async () => {
    const a = await contact('Pat One', '+15557008002');
    const b = await contact('Pat Two', '+15557008002');
    const perContact = await workflow({ name: 'Tag shared phone', trigger: { type: 'message.received', bodyGlob: '*shared*', numberIds: [numberId] }, steps: [{ type: 'add_tag', tag: 'shared' }] });
    const anyone = await workflow({ name: 'Strangers', trigger: { type: 'message.received', bodyGlob: '*stranger*' }, runWithoutContact: true, steps: [{ type: 'send_message', text: 'Hello {{ message.from }}, you said: {{ message.body }}' }] });
    const contactsOnly = await workflow({ name: 'Contacts only', trigger: { type: 'message.received', bodyGlob: '*stranger*' }, steps: [{ type: 'stop' }] });

    await inbound('+15557008002', 'this phone is SHARED');
    const both = await finished(perContact.id, 2);
    expect(both.map((r) => r.contactId).sort()).toEqual([a.id, b.id].sort());
    for (const id of [a.id, b.id]) expect((await api('GET', `/contacts/${id}`)).json().tags).toEqual(['shared']);

    await inbound('+15557008099', 'a stranger writes');
    const [run] = await finished(anyone.id);
    expect(run).toMatchObject({ status: 'completed', contactId: null });
    expect((await outboundTo('+15557008099')).map((m) => m.body)).toEqual(['Hello +15557008099, you said: a stranger writes']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await runs(contactsOnly.id)).toEqual([]);
  });

  it('never messages an opted-out number or a contact with allowSms false, and records why', async () => {
    const blocked = await contact('No Texts', '+15557008003', { allowSms: false });
    await api('POST', '/opt-outs', { phone: '+15557008004' });
    await contact('Opted Out', '+15557008004');
    const wf = await workflow({ name: 'Reply to OK', trigger: { type: 'message.received', bodyGlob: 'ok*' }, steps: [{ type: 'send_message', text: 'Noted' }, { type: 'add_tag', tag: 'ok' }] });
    await inbound('+15557008003', 'OK then');
    await inbound('+15557008004', 'ok!');
    const done = await finished(wf.id, 2);
    for (const run of done) {
      expect(run.status).toBe('completed');
      expect(run.steps[0]).toMatchObject({ type: 'send_message', outcome: 'skipped' });
      expect(run.steps[0]!.detail).toMatch(/not sent: .*(does not allow SMS|opted out)/);
      expect(run.steps[1]).toMatchObject({ type: 'add_tag', outcome: 'ok' });
    }
    expect(await outboundTo('+15557008003')).toEqual([]);
    expect(await outboundTo('+15557008004')).toEqual([]);
    expect((await api('GET', `/contacts/${blocked.id}`)).json().tags).toEqual(['ok']);
  });

  it('cuts loops: its own messages never re-trigger it, and runs per contact are rate limited', async () => {
    const loop = await workflow({ name: 'Ping on delivery', trigger: { type: 'message.delivered' }, runWithoutContact: true, steps: [{ type: 'send_message', text: 'Delivered: {{ message.body }}' }] });
    const first = await api('POST', '/messages', { from: OURS, to: '+15557008005', body: 'Original' });
    expect(first.statusCode).toBe(202);
    await finished(loop.id);
    // The workflow's own message is delivered too, and does not start a second run.
    await eventually(async () => (await outboundTo('+15557008005')).every((m) => m.status === 'delivered') && (await outboundTo('+15557008005')).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const loopRuns = await runs(loop.id);
    expect(loopRuns).toHaveLength(1);
    expect((await outboundTo('+15557008005')).map((m) => m.body)).toEqual(['Original', 'Delivered: Original']);
    await api('PATCH', `/workflows/${loop.id}`, { enabled: false });

    await contact('Chatty', '+15557008006');
    const limited = await workflow({ name: 'Limited', trigger: { type: 'message.received', bodyGlob: 'hi*' }, maxRunsPerContactPerHour: 2, steps: [{ type: 'add_tag', tag: 'greeted' }] });
    for (const text of ['hi 1', 'hi 2', 'hi 3']) {
      await inbound('+15557008006', text);
      await eventually(async () => (await runs(limited.id)).some((r) => r.trigger && r.status !== 'running'));
    }
    const all = await finished(limited.id, 3);
    expect(all.map((r) => r.status).sort()).toEqual(['completed', 'completed', 'skipped']);
    expect(all.find((r) => r.status === 'skipped')!.error).toContain('rate limit');
  });

  it('calls an HTTP webhook signed like event webhooks and stores the response on the run; a failing call fails the run', async () => {
    await contact('Hook Person', '+15557008007', { fields: { plan: 'gold' } });
    const wf = await workflow({
      name: 'Tell CRM',
      trigger: { type: 'message.received', bodyGlob: '*crm*' },
      conditions: [{ field: 'contact.fields.plan', op: 'equals', value: 'Gold' }],
      steps: [{ type: 'http_webhook', url: receiver.url('/crm') }, { type: 'http_webhook', url: receiver.url('/crm-down') }, { type: 'add_tag', tag: 'never' }],
    });
    receiver.answer('/crm-down', 500);
    const failures = (await api('POST', '/event-webhooks', { url: receiver.url('/failures'), events: ['workflow.run.failed'] })).json();
    await inbound('+15557008007', 'please update the CRM');
    const [run] = await finished(wf.id);
    const call = receiver.on('/crm')[0]!;
    const verified = new Webhook(wf.signingSecret).verify(call.body, { 'webhook-id': call.headers['webhook-id']!, 'webhook-timestamp': call.headers['webhook-timestamp']!, 'webhook-signature': call.headers['webhook-signature']! }) as { data: { contact: { first_name: string }; message: { body: string } } };
    expect(verified.data.contact.first_name).toBe('Hook');
    expect(verified.data.message.body).toBe('please update the CRM');
    expect(run!.status).toBe('failed');
    expect(run!.steps[0]).toMatchObject({ outcome: 'ok', response: { statusCode: 200, body: 'ok /crm' } });
    expect(run!.steps[1]).toMatchObject({ outcome: 'failed', response: { statusCode: 500, body: 'failure 500 at /crm-down' } });
    expect(run!.steps).toHaveLength(2);
    // Integrations hear about the failed run, signed with the endpoint's secret.
    const failed = await eventually(async () => receiver.on('/failures')[0]);
    const event = new Webhook(failures.secret).verify(failed.body, { 'webhook-id': failed.headers['webhook-id']!, 'webhook-timestamp': failed.headers['webhook-timestamp']!, 'webhook-signature': failed.headers['webhook-signature']! }) as { type: string; data: { id: string; status: string; workflowId: string } };
    expect(event).toMatchObject({ type: 'workflow.run.failed', data: { workflowId: wf.id, status: 'failed' } });
  });

  it('does not start runs whose conditions fail, nor runs of paused workflows', async () => {
    await contact('Silver Person', '+15557008008', { fields: { plan: 'silver' } });
    const wf = await workflow({ name: 'Gold only', trigger: { type: 'message.received' }, conditions: [{ field: 'contact.fields.plan', op: 'equals', value: 'gold' }], steps: [{ type: 'stop' }] });
    const paused = await workflow({ name: 'Paused', enabled: false, trigger: { type: 'message.received' }, runWithoutContact: true, steps: [{ type: 'stop' }] });
    await inbound('+15557008008', 'anything');
    await t.ctx.queue.drain();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await runs(wf.id)).toEqual([]);
    expect(await runs(paused.id)).toEqual([]);
  });

  it('pausing a workflow stops its waiting runs before they send', async () => {
    await contact('Paula Pause', '+15557008009');
    const wf = await workflow({ name: 'Later', trigger: { type: 'message.received', bodyGlob: 'later*' }, steps: [{ type: 'wait', minutes: 5 }, { type: 'send_message', text: 'Reminder' }] });
    await inbound('+15557008009', 'later please');
    await eventually(async () => (await runs(wf.id))[0]?.status === 'waiting');
    expect((await api('PATCH', `/workflows/${wf.id}`, { enabled: false })).statusCode).toBe(200);
    // The five minutes pass.
    await t.ctx.db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('name', '=', 'workflow.run').where('dead', '=', 0).execute();
    t.ctx.queue.wake();
    const [run] = await finished(wf.id);
    expect(run).toMatchObject({ status: 'stopped', error: 'the workflow was paused' });
    expect(await outboundTo('+15557008009')).toEqual([]);
  });

  it('refuses bad definitions with 4xx naming the problem', async () => {
    const bad = async (payload: object, text: string) => {
      const res = await api('POST', '/workflows', { name: 'bad', trigger: { type: 'message.received' }, steps: [{ type: 'stop' }], ...payload });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.message).toContain(text);
    };
    await bad({ steps: [{ type: 'send_message' }] }, 'templateId or text');
    await bad({ steps: [{ type: 'send_message', templateId: 'tpl_nope' }] }, 'tpl_nope');
    await bad({ steps: [{ type: 'send_message', text: 'Hi {{ contact.first_name' }] }, 'template');
    await bad({ steps: [{ type: 'send_message', text: 'Hi', from: '+15550000000' }] }, '+15550000000');
    await bad({ trigger: { type: 'message.received', numberIds: ['num_other'] } }, 'num_other');
    await bad({ steps: [] }, 'steps');
    await bad({ steps: [{ type: 'explode' }] }, 'steps');
    const wrongType = await api('POST', '/workflows', { name: 'bad', trigger: 'message.received', steps: [{ type: 'stop' }] });
    expect(wrongType.statusCode).toBe(400);
    expect((await api('GET', '/workflows/wf_missing/runs')).statusCode).toBe(404);
    const other = await createTestTenant(t.ctx, 'Other');
    const mine = await workflow({ name: 'Mine', trigger: { type: 'message.received' }, steps: [{ type: 'stop' }], enabled: false });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/workflows/${mine.id}`, headers: other.auth })).statusCode).toBe(404);
  });
});
