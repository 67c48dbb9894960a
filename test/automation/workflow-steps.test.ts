import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSegments } from '../../src/lib/segments.js';
import { RUN_WORKFLOW_JOB } from '../../src/services/automation/workflow-runner.js';
import { createAccountAndNumber, createTestApp, createTestTenant, eventually, type Tenant, type TestApp } from '../helper.js';

const OURS = '+15550109001';
const OTHER_LINE = '+15550109002';
let t: TestApp;
let tenant: Tenant;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await createTestTenant(t.ctx, 'Harbour Dental');
  await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: OURS });
  await createAccountAndNumber(t.app, tenant, { type: 'sandbox', number: OTHER_LINE });
});
afterAll(async () => {
  await t.close();
});

interface RunStep {
  type: string;
  outcome: string;
  detail?: string;
  messageId?: string;
  caseId?: string;
}
interface Case {
  id: string;
  token: string;
  title: string;
  status: string;
  contactId: string | null;
  conversationId: string | null;
  messages: Array<{ id: string; direction: string; body: string }>;
}

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => t.app.inject({ method, url: `/api/v1${url}`, headers: tenant.auth, payload });
const inbound = async (from: string, body: string) => {
  const res = await api('POST', '/sandbox/inbound', { from, to: OURS, body });
  expect(res.statusCode, res.body).toBe(202);
  return res.json() as { id: string };
};
const contact = async (name: string, phone: string, extra: object = {}) => (await api('POST', '/contacts', { name, phones: [phone], ...extra })).json() as { id: string };
const workflow = async (payload: object) => {
  const res = await api('POST', '/workflows', { trigger: { type: 'message.received' }, ...payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
};
const finishedRuns = (id: string, count = 1) =>
  eventually(async () => {
    const items = (await api('GET', `/workflows/${id}/runs`)).json().items as Array<{ status: string; steps: RunStep[]; error: string | null; trigger: { messageId: string } }>;
    return items.length >= count && items.every((r) => !['running', 'waiting'].includes(r.status)) ? items : null;
  });
const getCase = async (id: string) => (await api('GET', `/cases/${id}`)).json() as Case;
const message = (id: string) => t.ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const outboundTo = (phone: string) => t.ctx.db.selectFrom('messages').selectAll().where('direction', '=', 'outbound').where('to_numbers', '=', JSON.stringify([phone])).orderBy('created_at').execute();

describe('workflow send_message in a case', () => {
  it('opens a case per run titled from Liquid, sends with its token, and a tokenless reply lands in that case', async () => {
    const cara = await contact('Cara Case', '+15557009001');
    const wf = await workflow({
      name: 'Open a support case',
      trigger: { type: 'message.received', bodyGlob: 'help*' },
      steps: [{ type: 'send_message', text: 'We are on it, {{ contact.first_name }}', case: { open: 'Help for {{ contact.name }}: {{ message.body }}' } }],
    });
    const trigger = await inbound('+15557009001', 'help, my crown is loose');
    const [run] = await finishedRuns(wf.id);
    expect(run).toMatchObject({ status: 'completed', error: null });
    const step = run!.steps[0]!;
    expect(step).toMatchObject({ type: 'send_message', outcome: 'ok' });
    expect(step.caseId).toBeTruthy();

    const opened = await getCase(step.caseId!);
    const sent = await message(step.messageId!);
    expect(opened).toMatchObject({ title: 'Help for Cara Case: help, my crown is loose', status: 'open', contactId: cara.id, conversationId: (await message(trigger.id)).conversation_id });
    expect(sent.body).toBe(`We are on it, Cara [${opened.token}]`);
    expect(sent.segments).toBe(countSegments(sent.body).segments);
    expect(step.detail).toContain(`in case ${opened.token}, opened`);
    expect(opened.messages.map((m) => [m.direction, m.body])).toEqual([['outbound', sent.body]]);

    // The customer answers without the token: the reply joins the case the workflow opened.
    const reply = await inbound('+15557009001', 'thanks, see you soon');
    const withReply = await eventually(async () => {
      const view = await getCase(opened.id);
      return view.messages.length === 2 ? view : null;
    });
    expect(withReply.messages.map((m) => [m.direction, m.id])).toEqual([
      ['outbound', sent.id],
      ['inbound', reply.id],
    ]);

    // Each run opens its own case.
    await inbound('+15557009001', 'help again');
    const runs = await finishedRuns(wf.id, 2);
    const caseIds = runs.map((r) => r.steps[0]!.caseId);
    expect(new Set(caseIds).size).toBe(2);
    const cases = (await api('GET', `/cases?contactId=${cara.id}`)).json().items as Case[];
    expect(cases.map((c) => c.title).sort()).toEqual(['Help for Cara Case: help again', 'Help for Cara Case: help, my crown is loose']);
  });

  it('latest_open sends in the conversation’s most recently messaged open case, and without a case when there is none', async () => {
    await contact('Lena Latest', '+15557009002');
    const openCase = async (title: string) => (await api('POST', '/cases', { title })).json() as Case;
    const sendIn = async (kase: Case, body: string) => expect((await api('POST', '/messages', { from: OURS, to: '+15557009002', body, caseId: kase.id })).statusCode).toBe(202);
    const older = await openCase('Older, messaged last');
    const newer = await openCase('Newer, messaged first');
    const closed = await openCase('Closed, messaged after both');
    await sendIn(newer, 'first');
    await sendIn(older, 'second');
    await sendIn(closed, 'third');
    expect((await api('PATCH', `/cases/${closed.id}`, { status: 'closed' })).statusCode).toBe(200);

    const wf = await workflow({ name: 'Status answer', trigger: { type: 'message.received', bodyGlob: 'status*' }, runWithoutContact: true, steps: [{ type: 'send_message', text: 'Still on it', case: 'latest_open' }] });
    await inbound('+15557009002', 'status?');
    const [run] = await finishedRuns(wf.id);
    expect(run!.steps[0]).toMatchObject({ outcome: 'ok', caseId: older.id });
    expect((await message(run!.steps[0]!.messageId!)).body).toBe(`Still on it [${older.token}]`);
    expect((await getCase(older.id)).messages.some((m) => m.id === run!.steps[0]!.messageId)).toBe(true);
    expect((await getCase(newer.id)).messages.some((m) => m.id === run!.steps[0]!.messageId)).toBe(false);

    // A conversation without an open case: the message goes without a case, and the run says so.
    await inbound('+15557009003', 'status please');
    const both = await finishedRuns(wf.id, 2);
    const plain = both.find((r) => r.steps[0]!.caseId === undefined)!;
    expect(plain.steps[0]!.outcome).toBe('ok');
    expect(plain.steps[0]!.detail).toContain('no open case in the conversation: sent without a case');
    expect((await outboundTo('+15557009003')).map((m) => m.body)).toEqual(['Still on it']);
    const caseLinks = await t.ctx.db.selectFrom('case_messages').select('case_id').where('message_id', '=', plain.steps[0]!.messageId!).execute();
    expect(caseLinks).toEqual([]);
  });

  it('a run retried after its send step reuses the case it opened and the message it sent', async () => {
    const rita = await contact('Rita Retry', '+15557009007');
    const wf = await workflow({ name: 'Retry case', trigger: { type: 'message.received', bodyGlob: 'retry*' }, steps: [{ type: 'send_message', text: 'Once', case: { open: 'Retry case' } }] });
    await inbound('+15557009007', 'retry me');
    const [first] = await finishedRuns(wf.id);
    const runRow = await t.ctx.db.selectFrom('workflow_runs').select('id').where('workflow_id', '=', wf.id).executeTakeFirstOrThrow();
    // The job runs the step again, as after a crash between the send and saving the run's progress.
    await t.ctx.db.updateTable('workflow_runs').set({ status: 'running', next_step: 0, log: '[]', finished_at: null }).where('id', '=', runRow.id).execute();
    await t.ctx.queue.enqueue(t.ctx.db, RUN_WORKFLOW_JOB, { runId: runRow.id }, { tenantId: tenant.tenantId });
    t.ctx.queue.wake();
    const again = await eventually(async () => {
      const [run] = await finishedRuns(wf.id);
      return run!.status === 'completed' && run!.steps.length === 1 ? run : null;
    });
    expect(again!.steps[0]).toMatchObject({ outcome: 'ok', caseId: first!.steps[0]!.caseId, messageId: first!.steps[0]!.messageId });
    expect((await api('GET', `/cases?contactId=${rita.id}`)).json().items).toHaveLength(1);
    expect(await outboundTo('+15557009007')).toHaveLength(1);
  });

  it('does not keep a case it opened for a contact who does not allow SMS', async () => {
    const quiet = await contact('Quinn Quiet', '+15557009006', { allowSms: false });
    const wf = await workflow({ name: 'Case for quiet', trigger: { type: 'message.received', bodyGlob: 'quiet*' }, steps: [{ type: 'send_message', text: 'Noted', case: { open: 'Quiet case' } }] });
    await inbound('+15557009006', 'quiet please');
    const [run] = await finishedRuns(wf.id);
    expect(run!.steps[0]).toMatchObject({ outcome: 'skipped' });
    expect(run!.steps[0]!.detail).toMatch(/^not sent: /);
    expect((await api('GET', `/cases?contactId=${quiet.id}`)).json().items).toEqual([]);
  });

  it('refuses a bad case option with 400 naming the step field', async () => {
    const bad = async (kase: unknown, text: string) => {
      const res = await api('POST', '/workflows', { name: 'bad', trigger: { type: 'message.received' }, steps: [{ type: 'stop' }, { type: 'send_message', text: 'Hi', case: kase }] });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_error' });
      expect(res.json().error.message).toContain(text);
    };
    await bad('newest', 'steps[1].case must be "latest_open" or {"open": "<case title>"}');
    await bad({ title: 'x' }, 'steps.1.case.open is required');
    await bad({ open: '' }, 'steps[1].case.open');
    await bad({ open: '   ' }, 'steps[1].case.open');
    await bad({ open: 'Case {{ contact.name' }, 'steps[1].case.open');
  });
});

describe('other step options', () => {
  it('remove_tag removes only that tag; toContactField texts the phone in the field; from sends from the chosen number', async () => {
    const tom = await contact('Tom Tag', '+15557009004', { tags: ['vip', 'new'], fields: { partner_phone: '+15557009005' } });
    const wf = await workflow({
      name: 'Moved house',
      trigger: { type: 'message.received', bodyGlob: 'moved*' },
      steps: [
        { type: 'remove_tag', tag: 'new' },
        { type: 'remove_tag', tag: 'absent' },
        { type: 'send_message', text: '{{ contact.first_name }} moved house', toContactField: 'partner_phone' },
        { type: 'send_message', text: 'Noted, from our other line', from: OTHER_LINE },
        { type: 'send_message', text: 'Never sent', toContactField: 'no_such_field' },
      ],
    });
    await inbound('+15557009004', 'moved to Leith');
    const [run] = await finishedRuns(wf.id);
    expect(run!.status).toBe('completed');
    expect(run!.steps.map((s) => [s.type, s.outcome, s.detail?.split(':')[0]])).toEqual([
      ['remove_tag', 'ok', 'removed new'],
      ['remove_tag', 'ok', 'not tagged absent'],
      ['send_message', 'ok', 'to +15557009005'],
      ['send_message', 'ok', 'to +15557009004'],
      ['send_message', 'skipped', 'contact field no_such_field holds no phone number'],
    ]);
    expect((await api('GET', `/contacts/${tom.id}`)).json().tags).toEqual(['vip']);
    expect((await outboundTo('+15557009005')).map((m) => [m.from_number, m.body])).toEqual([[OURS, 'Tom moved house']]);
    expect((await outboundTo('+15557009004')).map((m) => [m.from_number, m.body])).toEqual([[OTHER_LINE, 'Noted, from our other line']]);
  });
});
