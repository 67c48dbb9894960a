/** /workflows (F26): CRUD, enable/pause, and each workflow's run log. Admins only; changes are audited. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.js';
import { now } from '../../../db/client.js';
import type { WorkflowTable } from '../../../db/schema.js';
import { AppError } from '../../../errors.js';
import { newId } from '../../../lib/ids.js';
import { requireAdmin } from '../../../plugins/auth.js';
import { auditSource, diffChanges, recordAudit } from '../../../services/audit.js';
import { checkEndpointUrl } from '../../../services/automation/event-webhooks.js';
import { newSigningSecret } from '../../../services/automation/signing.js';
import { checkSteps, ConditionSchema, MAX_STEPS, StepSchema, TriggerSchema, type Step, type Trigger } from '../../../services/automation/workflow-spec.js';
import { findWorkflow, serializeRun, serializeWorkflow } from '../../../services/automation/workflows.js';
import { findTemplate } from '../../../services/templates/store.js';
import { parseTemplate } from '../../../services/templates/render.js';
import { decodeCursor, ErrorSchema, page, PagingQuery } from './paging.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Conditions = Type.Array(ConditionSchema, { maxItems: 20 });
const Steps = Type.Array(StepSchema, { minItems: 1, maxItems: MAX_STEPS });
const RateLimit = Type.Integer({ minimum: 1, maximum: 1000 });
const Create = Type.Object(
  { name: Name, enabled: Type.Optional(Type.Boolean()), trigger: TriggerSchema, conditions: Type.Optional(Conditions), steps: Steps, runWithoutContact: Type.Optional(Type.Boolean()), maxRunsPerContactPerHour: Type.Optional(RateLimit) },
  { additionalProperties: false },
);
const Update = Type.Object(
  {
    name: Type.Optional(Name),
    enabled: Type.Optional(Type.Boolean()),
    trigger: Type.Optional(TriggerSchema),
    conditions: Type.Optional(Conditions),
    steps: Type.Optional(Steps),
    runWithoutContact: Type.Optional(Type.Boolean()),
    maxRunsPerContactPerHour: Type.Optional(RateLimit),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object({ ...PagingQuery }, { additionalProperties: false });
const RunsQuery = Type.Object({ ...PagingQuery, status: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: false });
const errors = { 400: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

export async function workflowRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  /** References in a workflow must be the tenant's own (numbers, templates) and its URLs allowed. */
  async function checkDefinition(tenantId: string, trigger: Trigger | undefined, steps: Step[] | undefined): Promise<void> {
    if (trigger?.numberIds?.length) {
      const found = await ctx.db.selectFrom('numbers').select('id').where('tenant_id', '=', tenantId).where('id', 'in', trigger.numberIds).execute();
      const missing = trigger.numberIds.filter((id) => !found.some((row) => row.id === id));
      if (missing.length > 0) throw new AppError('validation_error', `trigger.numberIds: ${missing.map((id) => `"${id}"`).join(', ')} ${missing.length > 1 ? 'are not numbers' : 'is not a number'} of this tenant`);
    }
    if (!steps) return;
    checkSteps(steps);
    for (const [index, step] of steps.entries()) {
      if (step.type === 'send_message') {
        if (step.templateId) await findTemplate(ctx.db, tenantId, step.templateId).catch(() => Promise.reject(new AppError('validation_error', `steps[${index}].templateId "${step.templateId}" is not a template of this tenant`)));
        if (step.text) parseTemplate(step.text);
        if (typeof step.case === 'object') {
          try {
            parseTemplate(step.case.open);
          } catch (error) {
            if (error instanceof AppError) throw new AppError('validation_error', `steps[${index}].case.open: ${error.message}`);
            throw error;
          }
        }
        if (step.from) {
          const number = await ctx.db.selectFrom('numbers').select('id').where('tenant_id', '=', tenantId).where('number', '=', step.from).executeTakeFirst();
          if (!number) throw new AppError('validation_error', `steps[${index}].from "${step.from}" is not a number of this tenant`);
        }
      }
      if (step.type === 'set_contact_field') parseTemplate(step.value);
      if (step.type === 'http_webhook') {
        try {
          await checkEndpointUrl(ctx, step.url);
        } catch (error) {
          if (error instanceof AppError) throw new AppError(error.code, `steps[${index}].url: ${error.message}`);
          throw error;
        }
      }
    }
  }

  app.get<{ Querystring: Static<typeof ListQuery> }>('/workflows', { schema: { tags: ['workflows'], querystring: ListQuery } }, async (request) => {
    requireAdmin(request);
    const limit = request.query.limit ?? 50;
    let query = ctx.db.selectFrom('workflows').selectAll().where('tenant_id', '=', request.auth.tenantId);
    const cursor = decodeCursor(request.query.cursor);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '>', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '>', cursor.id)])]));
    const rows = await query.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
    const result = page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
    return { items: result.items.map(serializeWorkflow), nextCursor: result.nextCursor };
  });

  app.post<{ Body: Static<typeof Create> }>('/workflows', { schema: { tags: ['workflows'], body: Create, response: errors } }, async (request, reply) => {
    requireAdmin(request);
    const source = auditSource(request);
    const body = request.body;
    await checkDefinition(source.tenantId, body.trigger, body.steps);
    const secret = newSigningSecret();
    const at = now();
    const row: WorkflowTable = {
      id: newId('wf'),
      tenant_id: source.tenantId,
      name: body.name.trim(),
      enabled: body.enabled === false ? 0 : 1,
      trigger: JSON.stringify(body.trigger),
      conditions: JSON.stringify(body.conditions ?? []),
      steps: JSON.stringify(body.steps),
      run_without_contact: body.runWithoutContact ? 1 : 0,
      max_runs_per_contact_per_hour: body.maxRunsPerContactPerHour ?? 5,
      signing_secret: ctx.secrets.seal(secret),
      created_by: request.auth.userId,
      created_at: at,
      updated_at: at,
    };
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('workflows').values(row).execute();
      const shown = serializeWorkflow(row);
      await recordAudit(trx, { ...source, action: 'workflow.created', target: { type: 'workflow', id: row.id, label: row.name }, changes: { name: shown.name, enabled: shown.enabled, trigger: shown.trigger, conditions: shown.conditions, steps: shown.steps } });
    });
    ctx.hasEnabledWorkflows.changed(source.tenantId);
    // The secret that signs its http_webhook steps, shown once.
    return reply.status(201).send({ ...serializeWorkflow(row), signingSecret: secret });
  });

  app.get<{ Params: { id: string } }>('/workflows/:id', { schema: { tags: ['workflows'] } }, async (request) => {
    requireAdmin(request);
    return serializeWorkflow(await findWorkflow(ctx.db, request.auth.tenantId, request.params.id));
  });

  app.patch<{ Params: { id: string }; Body: Static<typeof Update> }>('/workflows/:id', { schema: { tags: ['workflows'], body: Update, response: errors } }, async (request) => {
    requireAdmin(request);
    const source = auditSource(request);
    const existing = await findWorkflow(ctx.db, source.tenantId, request.params.id);
    const body = request.body;
    await checkDefinition(source.tenantId, body.trigger, body.steps);
    const set: Partial<WorkflowTable> = { updated_at: now() };
    if (body.name !== undefined) set.name = body.name.trim();
    if (body.enabled !== undefined) set.enabled = body.enabled ? 1 : 0;
    if (body.trigger !== undefined) set.trigger = JSON.stringify(body.trigger);
    if (body.conditions !== undefined) set.conditions = JSON.stringify(body.conditions);
    if (body.steps !== undefined) set.steps = JSON.stringify(body.steps);
    if (body.runWithoutContact !== undefined) set.run_without_contact = body.runWithoutContact ? 1 : 0;
    if (body.maxRunsPerContactPerHour !== undefined) set.max_runs_per_contact_per_hour = body.maxRunsPerContactPerHour;
    const updated = { ...existing, ...set };
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('workflows').set(set).where('tenant_id', '=', source.tenantId).where('id', '=', existing.id).execute();
      const { createdAt: _c, updatedAt: _u, ...before } = serializeWorkflow(existing);
      const { createdAt: _c2, updatedAt: _u2, ...after } = serializeWorkflow(updated);
      await recordAudit(trx, { ...source, action: 'workflow.updated', target: { type: 'workflow', id: existing.id, label: updated.name }, changes: diffChanges(before, after) });
    });
    ctx.hasEnabledWorkflows.changed(source.tenantId);
    return serializeWorkflow(updated);
  });

  app.delete<{ Params: { id: string } }>('/workflows/:id', { schema: { tags: ['workflows'] } }, async (request, reply) => {
    requireAdmin(request);
    const source = auditSource(request);
    const existing = await findWorkflow(ctx.db, source.tenantId, request.params.id);
    await ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('workflow_runs').where('tenant_id', '=', source.tenantId).where('workflow_id', '=', existing.id).execute();
      await trx.deleteFrom('workflows').where('tenant_id', '=', source.tenantId).where('id', '=', existing.id).execute();
      const shown = serializeWorkflow(existing);
      await recordAudit(trx, { ...source, action: 'workflow.deleted', target: { type: 'workflow', id: existing.id, label: existing.name }, changes: { name: shown.name, trigger: shown.trigger, steps: shown.steps } });
    });
    ctx.hasEnabledWorkflows.changed(source.tenantId);
    return reply.status(204).send();
  });

  app.get<{ Params: { id: string }; Querystring: Static<typeof RunsQuery> }>('/workflows/:id/runs', { schema: { tags: ['workflows'], querystring: RunsQuery } }, async (request) => {
    requireAdmin(request);
    const tenantId = request.auth.tenantId;
    const workflow = await findWorkflow(ctx.db, tenantId, request.params.id);
    const limit = request.query.limit ?? 50;
    let query = ctx.db.selectFrom('workflow_runs').selectAll().where('tenant_id', '=', tenantId).where('workflow_id', '=', workflow.id);
    if (request.query.status) query = query.where('status', '=', request.query.status as never);
    const cursor = decodeCursor(request.query.cursor);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.at), eb.and([eb('created_at', '=', cursor.at), eb('id', '<', cursor.id)])]));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const result = page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
    return { items: result.items.map(serializeRun), nextCursor: result.nextCursor };
  });
}
