/**
 * Runs one workflow run (F26) as a durable job, from its next step. Each step's outcome and time
 * are appended to the run's log as it finishes. A wait step saves the run and enqueues its
 * continuation as a delayed job in the same transaction, so a restart, or another node, picks it
 * up when it is due. Sends carry an idempotency key per run and step: a retried job never sends
 * twice. Sends go through the normal send path, whose guard refuses opted-out numbers and
 * contacts with allow_sms=false.
 */
import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import { now } from '../../db/client.js';
import type { CaseTable, WorkflowRunTable, WorkflowTable } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { toE164 } from '../../lib/phone.js';
import type { JobDefinition } from '../../jobs/queue.js';
import { createCase, findCase } from '../cases.js';
import { composeOutbound } from '../compose-outbound.js';
import { remoteKey } from '../conversations.js';
import { acceptMessage, type SendInput } from '../send-message.js';
import { contactData } from '../templates/data.js';
import { emptyVariablesError, renderTemplate } from '../templates/render.js';
import { findTemplate } from '../templates/store.js';
import { routingDb } from '../routing/tables.js';
import { readExcerpt } from './event-delivery.js';
import { signedHeaders } from './signing.js';
import type { Step, StepCase } from './workflow-spec.js';
import { serializeRun, type RunLogEntry } from './workflows.js';
import { withTimeout } from '../../lib/timeout.js';

export const RUN_WORKFLOW_JOB = 'workflow.run';
const WEBHOOK_TIMEOUT_MS = 15_000;
const RESPONSE_BYTES = 2000;

type StepResult = Omit<RunLogEntry, 'step' | 'type' | 'at'> & { wait?: number; stop?: boolean; fail?: boolean };
/** A run's saved data: the triggering message, and the cases its send steps opened (by step index, so a retried job reuses them). */
interface RunState {
  message: Record<string, unknown>;
  numberId: string | null;
  openedCases?: Record<string, string>;
}

export function runWorkflowJob(ctx: AppContext): JobDefinition<{ runId: string }> {
  return {
    name: RUN_WORKFLOW_JOB,
    maxAttempts: 5,
    concurrency: 8,
    async handle({ runId }) {
      const run = await ctx.db.selectFrom('workflow_runs').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!run || (run.status !== 'running' && run.status !== 'waiting')) return;
      const workflow = await ctx.db.selectFrom('workflows').selectAll().where('tenant_id', '=', run.tenant_id).where('id', '=', run.workflow_id).executeTakeFirst();
      if (!workflow) return;
      // Pausing a workflow also ends its runs still waiting (a paused workflow sends nothing).
      if (workflow.enabled !== 1) return finish(ctx, run, JSON.parse(run.log) as RunLogEntry[], 'stopped', 'the workflow was paused');
      await execute(ctx, workflow, run);
    },
    async onGiveUp({ runId }, error) {
      const run = await ctx.db.selectFrom('workflow_runs').selectAll().where('id', '=', runId).executeTakeFirst();
      if (run) await finish(ctx, run, JSON.parse(run.log) as RunLogEntry[], 'failed', `gave up: ${(error as Error)?.message ?? String(error)}`.slice(0, 1000));
    },
  };
}

async function execute(ctx: AppContext, workflow: WorkflowTable, run: WorkflowRunTable): Promise<void> {
  const steps = JSON.parse(workflow.steps) as Step[];
  const log = JSON.parse(run.log) as RunLogEntry[];
  const state = JSON.parse(run.data) as RunState;
  if (run.status === 'waiting') {
    await ctx.db.updateTable('workflow_runs').set({ status: 'running', resume_at: null, updated_at: now() }).where('id', '=', run.id).execute();
    run.status = 'running';
  }
  for (let index = run.next_step; index < steps.length; index += 1) {
    const step = steps[index]!;
    let result: StepResult;
    try {
      result = await runStep(ctx, workflow, run, state, step, index);
    } catch (error) {
      result = { outcome: 'failed', detail: error instanceof AppError ? `${error.code}: ${error.message}` : (error as Error).message, fail: true };
    }
    const { wait, stop, fail, ...entry } = result;
    log.push({ step: index, type: step.type, at: now(), ...entry });
    if (fail) return finish(ctx, run, log, 'failed', entry.detail ?? 'step failed');
    if (stop) return finish(ctx, run, log, 'stopped', null);
    if (wait !== undefined) {
      const resumeAt = new Date(Date.now() + wait).toISOString();
      await ctx.db.transaction().execute(async (trx) => {
        await trx.updateTable('workflow_runs').set({ status: 'waiting', next_step: index + 1, log: JSON.stringify(log), resume_at: resumeAt, updated_at: now() }).where('id', '=', run.id).execute();
        await ctx.queue.enqueue(trx, RUN_WORKFLOW_JOB, { runId: run.id }, { runAt: resumeAt, tenantId: run.tenant_id });
      });
      return;
    }
    await ctx.db.updateTable('workflow_runs').set({ next_step: index + 1, log: JSON.stringify(log), updated_at: now() }).where('id', '=', run.id).execute();
  }
  await finish(ctx, run, log, 'completed', null);
}

async function finish(ctx: AppContext, run: WorkflowRunTable, log: RunLogEntry[], status: WorkflowRunTable['status'], error: string | null): Promise<void> {
  const at = now();
  await ctx.db.updateTable('workflow_runs').set({ status, log: JSON.stringify(log), error, resume_at: null, finished_at: at, updated_at: at }).where('id', '=', run.id).execute();
  if (status === 'failed') {
    ctx.events.publish({ type: 'workflow.run.failed', tenantId: run.tenant_id, data: serializeRun({ ...run, status, log: JSON.stringify(log), error, resume_at: null, finished_at: at, updated_at: at }) });
  }
}

async function loadContact(ctx: AppContext, run: WorkflowRunTable) {
  if (!run.contact_id) return null;
  return (await routingDb(ctx.db).selectFrom('contacts').selectAll().where('tenant_id', '=', run.tenant_id).where('id', '=', run.contact_id).executeTakeFirst()) ?? null;
}

/** What templates see: the contact (fresh, fields set by earlier steps included), the message, the organisation. */
async function templateData(ctx: AppContext, run: WorkflowRunTable, state: { message: Record<string, unknown> }) {
  const contact = await loadContact(ctx, run);
  const tenant = await ctx.db.selectFrom('tenants').select('name').where('id', '=', run.tenant_id).executeTakeFirst();
  return {
    contact: contact ? contactData(contact, run.remote_number) : { phone: run.remote_number ?? '', fields: {}, tags: [] },
    message: state.message,
    tenant: { name: tenant?.name ?? '' },
    user: { name: '' },
  };
}

async function runStep(ctx: AppContext, workflow: WorkflowTable, run: WorkflowRunTable, state: RunState, step: Step, index: number): Promise<StepResult> {
  switch (step.type) {
    case 'stop':
      return { outcome: 'stopped', stop: true };
    case 'wait':
      return { outcome: 'waiting', detail: `${step.minutes} min`, wait: step.minutes * 60_000 };
    case 'set_contact_field':
    case 'add_tag':
    case 'remove_tag':
      return changeContact(ctx, run, state, step);
    case 'send_message':
      return sendStep(ctx, workflow, run, state, step, index);
    case 'http_webhook':
      return webhookStep(ctx, workflow, run, state, index, step.url);
  }
}

async function changeContact(ctx: AppContext, run: WorkflowRunTable, state: { message: Record<string, unknown> }, step: Extract<Step, { type: 'set_contact_field' | 'add_tag' | 'remove_tag' }>): Promise<StepResult> {
  const contact = await loadContact(ctx, run);
  if (!contact) return { outcome: 'skipped', detail: 'no contact matches the remote number' };
  const db = routingDb(ctx.db);
  if (step.type === 'set_contact_field') {
    const rendered = await renderTemplate(step.value, await templateData(ctx, run, state));
    const fields = { ...(JSON.parse(contact.fields) as Record<string, unknown>), [step.field]: rendered.text };
    await db.updateTable('contacts').set({ fields: JSON.stringify(fields), updated_at: now() }).where('tenant_id', '=', run.tenant_id).where('id', '=', contact.id).execute();
    ctx.events.publish({ type: 'contact.updated', tenantId: run.tenant_id, data: { id: contact.id } });
    return { outcome: 'ok', detail: `${step.field} = ${rendered.text.slice(0, 100)}` };
  }
  const tags = JSON.parse(contact.tags) as string[];
  const tag = step.tag.trim();
  const next = step.type === 'add_tag' ? [...new Set([...tags, tag])] : tags.filter((t) => t !== tag);
  if (next.length === tags.length && next.every((t, i) => t === tags[i])) return { outcome: 'ok', detail: `${step.type === 'add_tag' ? 'already tagged' : 'not tagged'} ${tag}` };
  await db.updateTable('contacts').set({ tags: JSON.stringify(next), updated_at: now() }).where('tenant_id', '=', run.tenant_id).where('id', '=', contact.id).execute();
  ctx.events.publish({ type: 'contact.updated', tenantId: run.tenant_id, data: { id: contact.id } });
  return { outcome: 'ok', detail: `${step.type === 'add_tag' ? 'added' : 'removed'} ${tag}` };
}

async function sendStep(ctx: AppContext, workflow: WorkflowTable, run: WorkflowRunTable, state: RunState, step: Extract<Step, { type: 'send_message' }>, index: number): Promise<StepResult> {
  const data = await templateData(ctx, run, state);
  let to = run.remote_number;
  if (step.toContactField) {
    const value = (data.contact.fields as Record<string, unknown>)[step.toContactField];
    to = typeof value === 'string' ? toE164(value, ctx.config.defaultCountry) : null;
    if (!to) return { outcome: 'skipped', detail: `contact field ${step.toContactField} holds no phone number` };
  }
  if (!to) return { outcome: 'skipped', detail: 'no number to text' };
  let from = step.from ?? null;
  if (!from) {
    const number = state.numberId ? await ctx.db.selectFrom('numbers').select('number').where('tenant_id', '=', run.tenant_id).where('id', '=', state.numberId).executeTakeFirst() : undefined;
    if (!number) return { outcome: 'failed', detail: 'the conversation has no number of ours to send from; choose one on the step', fail: true };
    from = number.number;
  }
  let body: string;
  let media: Array<{ id: string }> = [];
  if (step.templateId) {
    const template = await findTemplate(ctx.db, run.tenant_id, step.templateId);
    const rendered = await renderTemplate(template.body, data);
    if (rendered.emptyVariables.length > 0) throw emptyVariablesError(rendered.emptyVariables);
    body = rendered.text.trim();
    media = (JSON.parse(template.media_ids) as string[]).map((id) => ({ id }));
  } else {
    const rendered = await renderTemplate(step.text!, data);
    if (rendered.emptyVariables.length > 0) throw emptyVariablesError(rendered.emptyVariables);
    body = rendered.text.trim();
  }
  const input: SendInput = {
    tenantId: run.tenant_id,
    createdBy: workflow.id,
    from,
    to,
    body,
    media,
    idempotencyKey: `wf:${run.id}:${index}`,
    afterInsert: async (trx, row) => {
      await trx.insertInto('workflow_messages').values({ message_id: row.id, tenant_id: run.tenant_id, workflow_id: workflow.id, run_id: run.id }).execute();
    },
  };
  const inCase = step.case ? await caseForStep(ctx, run, state, step.case, index, { from, to }, data) : null;
  const caseNote = !step.case ? '' : inCase ? ` (in case ${inCase.row.token}${inCase.opened ? ', opened' : ''})` : ' (no open case in the conversation: sent without a case)';
  try {
    // In a case, the compose path of POST /messages appends the case token and links the message to the case.
    const message = await acceptMessage(ctx, inCase ? await composeOutbound(ctx, input, { caseId: inCase.row.id }) : input);
    return { outcome: 'ok', detail: `to ${to}: ${body.slice(0, 100)}${caseNote}`, messageId: message.id, ...(inCase ? { caseId: inCase.row.id } : {}) };
  } catch (error) {
    // Never message an opted-out number or a contact who does not allow SMS: recorded, not retried.
    if (error instanceof AppError && error.code === 'opted_out') {
      if (inCase?.opened) await discardEmptyCase(ctx, inCase.row);
      return { outcome: 'skipped', detail: `not sent: ${error.message}` };
    }
    throw error;
  }
}

/**
 * The case a send step messages in. `{open}` opens one for the run's contact, titled by its Liquid
 * text; its id is saved on the run first, so a retried job sends in the same case. `latest_open`
 * takes the conversation's open case most recently opened or messaged, or none.
 */
async function caseForStep(
  ctx: AppContext,
  run: WorkflowRunTable,
  state: RunState,
  option: StepCase,
  index: number,
  route: { from: string; to: string },
  data: Awaited<ReturnType<typeof templateData>>,
): Promise<{ row: CaseTable; opened: boolean } | null> {
  const conversation = await ctx.db
    .selectFrom('conversations')
    .select('id')
    .where('tenant_id', '=', run.tenant_id)
    .where('our_number', '=', route.from)
    .where('remote_key', '=', remoteKey([route.to]))
    .executeTakeFirst();
  if (typeof option === 'string') {
    if (!conversation) return null;
    const row = await ctx.db
      .selectFrom('cases')
      .selectAll()
      .where('tenant_id', '=', run.tenant_id)
      .where('conversation_id', '=', conversation.id)
      .where('status', '=', 'open')
      .orderBy(sql`coalesce(last_outbound_at, created_at)`, 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    return row ? { row, opened: false } : null;
  }
  const key = String(index);
  const saved = state.openedCases?.[key];
  if (saved) return { row: await findCase(ctx.db, run.tenant_id, saved), opened: true };
  const rendered = await renderTemplate(option.open, data);
  if (rendered.emptyVariables.length > 0) throw emptyVariablesError(rendered.emptyVariables);
  const row = await createCase(ctx, { tenantId: run.tenant_id, title: rendered.text.trim().slice(0, 300), contactId: run.contact_id, conversationId: conversation?.id ?? null, userId: null });
  state.openedCases = { ...state.openedCases, [key]: row.id };
  await ctx.db.updateTable('workflow_runs').set({ data: JSON.stringify(state), updated_at: now() }).where('id', '=', run.id).execute();
  return { row, opened: true };
}

/** A case opened for a message that was then refused would stay empty: it is removed. */
async function discardEmptyCase(ctx: AppContext, row: CaseTable): Promise<void> {
  await ctx.db
    .deleteFrom('cases')
    .where('tenant_id', '=', row.tenant_id)
    .where('id', '=', row.id)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('case_messages').select('case_messages.message_id').whereRef('case_messages.case_id', '=', 'cases.id'))))
    .execute();
}

async function webhookStep(ctx: AppContext, workflow: WorkflowTable, run: WorkflowRunTable, state: { message: Record<string, unknown> }, index: number, url: string): Promise<StepResult> {
  const data = await templateData(ctx, run, state);
  const body = JSON.stringify({ type: 'workflow.step', timestamp: new Date().toISOString(), data: { workflowId: workflow.id, runId: run.id, step: index, contact: run.contact_id ? data.contact : null, message: state.message } });
  const secret = ctx.secrets.open<string>(workflow.signing_secret);
  let exchange: { response: Response; text: string | null };
  try {
    exchange = await withTimeout(WEBHOOK_TIMEOUT_MS, async (signal) => {
      const response = await ctx.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Switchboard-Workflows/1', ...signedHeaders([secret], `${run.id}_${index}`, body) },
        body,
        signal,
      });
      return { response, text: await readExcerpt(response, RESPONSE_BYTES).catch(() => null) };
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return { outcome: 'failed', detail: `POST ${url} failed: ${[(error as Error).message, cause?.message].filter(Boolean).join(': ')}`.slice(0, 500), response: { statusCode: null, body: null }, fail: true };
  }
  const { response, text } = exchange;
  const ok = response.status >= 200 && response.status < 300;
  return { outcome: ok ? 'ok' : 'failed', detail: `POST ${url} → ${response.status}`, response: { statusCode: response.status, body: text }, fail: !ok };
}
