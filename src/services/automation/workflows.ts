/** Workflows (F26): rows ↔ API shapes, and loading one of a tenant's workflows. */
import type { Db } from '../../db/client.js';
import type { WorkflowRunTable, WorkflowTable } from '../../db/schema.js';
import { notFound } from '../../errors.js';
import type { Condition, Step, Trigger } from './workflow-spec.js';

export interface RunLogEntry {
  step: number;
  type: string;
  outcome: 'ok' | 'skipped' | 'failed' | 'waiting' | 'stopped';
  at: string;
  detail?: string;
  /** What an http_webhook step got back; the message a send step created, and the case it was sent in. */
  response?: { statusCode: number | null; body: string | null };
  messageId?: string;
  caseId?: string;
}

export function serializeWorkflow(row: WorkflowTable) {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled === 1,
    trigger: JSON.parse(row.trigger) as Trigger,
    conditions: JSON.parse(row.conditions) as Condition[],
    steps: JSON.parse(row.steps) as Step[],
    runWithoutContact: row.run_without_contact === 1,
    maxRunsPerContactPerHour: row.max_runs_per_contact_per_hour,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function serializeRun(row: WorkflowRunTable) {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    trigger: { type: row.trigger_type, messageId: row.trigger_message_id },
    contactId: row.contact_id,
    remoteNumber: row.remote_number,
    status: row.status,
    nextStep: row.next_step,
    steps: JSON.parse(row.log) as RunLogEntry[],
    error: row.error,
    resumeAt: row.resume_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export async function findWorkflow(db: Db, tenantId: string, id: string): Promise<WorkflowTable> {
  const row = await db.selectFrom('workflows').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('workflow', id);
  return row;
}
