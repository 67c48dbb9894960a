/**
 * Starting workflow runs (F26). An inbound message (from the inbound job) or a delivery receipt
 * (from the `message.status` event) enqueues one durable `workflow.trigger` job; that job finds
 * the tenant's enabled workflows whose trigger matches, and starts one run per contact matched
 * to the remote number (or one without a contact when the workflow allows it). A run is unique
 * per workflow, message and contact, so a repeated trigger job never starts a second run.
 */
import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import { now } from '../../db/client.js';
import type { MessageTable, WorkflowTable } from '../../db/schema.js';
import { newId } from '../../lib/ids.js';
import type { JobDefinition } from '../../jobs/queue.js';
import type { AppEvent } from '../events.js';
import { contactData } from '../templates/data.js';
import { routingDb } from '../routing/tables.js';
import { conditionHolds, globMatches, type Condition, type Trigger } from './workflow-spec.js';
import { RUN_WORKFLOW_JOB } from './workflow-runner.js';

export const TRIGGER_WORKFLOWS_JOB = 'workflow.trigger';
type Kind = 'message.received' | 'message.delivered';

export async function enqueueTrigger(ctx: AppContext, messageId: string, tenantId: string, kind: Kind): Promise<void> {
  if (!(await ctx.hasEnabledWorkflows.get(tenantId))) return;
  await ctx.queue.enqueue(ctx.db, TRIGGER_WORKFLOWS_JOB, { messageId, kind }, { tenantId });
  ctx.queue.wake();
}

/** Inbound handler (jobs/process-inbound.job.ts): every new inbound message may trigger workflows. */
export async function triggerOnInbound(ctx: AppContext, message: MessageTable): Promise<void> {
  if (message.direction !== 'inbound') return;
  await enqueueTrigger(ctx, message.id, message.tenant_id, 'message.received');
}

/** Event sink: the transition of an outbound message to delivered. */
export function triggerOnDelivered(ctx: AppContext): (event: AppEvent) => Promise<void> {
  return async (event) => {
    const data = event.data as { id?: string; status?: string } | undefined;
    if (event.type !== 'message.status' || data?.status !== 'delivered' || !data.id) return;
    try {
      await enqueueTrigger(ctx, data.id, event.tenantId, 'message.delivered');
    } catch (error) {
      ctx.log.error({ err: error, messageId: data.id }, 'could not queue the delivered-message workflow trigger; no workflow ran for it');
    }
  };
}

/** The message as templates and conditions see it. */
export function messageData(message: MessageTable, kind: Kind): Record<string, unknown> {
  const to = JSON.parse(message.to_numbers) as string[];
  return {
    id: message.id,
    from: message.from_number,
    to: to.length === 1 ? to[0] : to,
    body: message.body,
    ...(kind === 'message.received' ? { receivedAt: message.created_at } : { deliveredAt: message.delivered_at ?? now() }),
  };
}

export function triggerWorkflowsJob(ctx: AppContext): JobDefinition<{ messageId: string; kind: Kind }> {
  return {
    name: TRIGGER_WORKFLOWS_JOB,
    maxAttempts: 6,
    concurrency: 8,
    async handle({ messageId, kind }) {
      const message = await ctx.db.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst();
      if (!message) return;
      const workflows = (await ctx.db.selectFrom('workflows').selectAll().where('tenant_id', '=', message.tenant_id).where('enabled', '=', 1).execute()).filter((workflow) => {
        const trigger = JSON.parse(workflow.trigger) as Trigger;
        if (trigger.type !== kind) return false;
        if (trigger.numberIds?.length && !trigger.numberIds.includes(message.number_id ?? '')) return false;
        return globMatches(trigger.bodyGlob, message.body);
      });
      if (workflows.length === 0) return;
      const recipients = JSON.parse(message.to_numbers) as string[];
      const remote = kind === 'message.received' ? message.from_number : recipients.length === 1 ? recipients[0]! : null;
      if (!remote) return;
      const sentBy = kind === 'message.delivered' ? await ctx.db.selectFrom('workflow_messages').select('workflow_id').where('message_id', '=', message.id).executeTakeFirst() : undefined;
      const contacts = await routingDb(ctx.db)
        .selectFrom('contact_phones')
        .innerJoin('contacts', 'contacts.id', 'contact_phones.contact_id')
        .select(['contacts.id', 'contacts.name', 'contacts.fields', 'contacts.tags'])
        .where('contact_phones.tenant_id', '=', message.tenant_id)
        .where('contact_phones.phone', '=', remote)
        .orderBy('contacts.created_at')
        .execute();
      let started = 0;
      for (const workflow of workflows) {
        // Loop protection: a message this workflow sent never triggers it again.
        if (sentBy?.workflow_id === workflow.id) continue;
        const targets: Array<(typeof contacts)[number] | null> = contacts.length > 0 ? contacts : workflow.run_without_contact === 1 ? [null] : [];
        for (const contact of targets) started += await startRun(ctx, workflow, message, kind, remote, contact);
      }
      if (started > 0) ctx.queue.wake();
    },
  };
}

async function startRun(ctx: AppContext, workflow: WorkflowTable, message: MessageTable, kind: Kind, remote: string, contact: { id: string; name: string; fields: string; tags: string } | null): Promise<number> {
  const data = { message: messageData(message, kind), contact: contact ? contactData(contact, remote) : { phone: remote, fields: {}, tags: [] } };
  const conditions = JSON.parse(workflow.conditions) as Condition[];
  if (!conditions.every((condition) => conditionHolds(condition, data))) return 0;
  const at = now();
  const limited = await overRateLimit(ctx, workflow, contact?.id ?? null, remote);
  return ctx.db.transaction().execute(async (trx) => {
    const runId = newId('run');
    const result = await trx
      .insertInto('workflow_runs')
      .values({
        id: runId,
        tenant_id: workflow.tenant_id,
        workflow_id: workflow.id,
        dedupe_key: `${workflow.id}:${message.id}:${contact?.id ?? '-'}`,
        trigger_type: kind,
        trigger_message_id: message.id,
        contact_id: contact?.id ?? null,
        remote_number: remote,
        status: limited ? 'skipped' : 'running',
        next_step: 0,
        data: JSON.stringify({ message: data.message, numberId: message.number_id }),
        log: '[]',
        error: limited ? `rate limit: at most ${workflow.max_runs_per_contact_per_hour} runs per contact per hour` : null,
        resume_at: null,
        created_at: at,
        updated_at: at,
        finished_at: limited ? at : null,
      })
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0 || limited) return 0;
    await ctx.queue.enqueue(trx, RUN_WORKFLOW_JOB, { runId }, { tenantId: workflow.tenant_id });
    return 1;
  });
}

/** Per-contact (or per-number without a contact) runs of this workflow in the last hour. */
async function overRateLimit(ctx: AppContext, workflow: WorkflowTable, contactId: string | null, remote: string): Promise<boolean> {
  const since = new Date(Date.now() - 3_600_000).toISOString();
  let query = ctx.db
    .selectFrom('workflow_runs')
    .select(sql<number>`count(*)`.as('n'))
    .where('workflow_id', '=', workflow.id)
    .where('status', '<>', 'skipped')
    .where('created_at', '>', since);
  query = contactId ? query.where('contact_id', '=', contactId) : query.where('contact_id', 'is', null).where('remote_number', '=', remote);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n) >= workflow.max_runs_per_contact_per_hour;
}
