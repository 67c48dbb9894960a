import type { Kysely } from 'kysely';
import type { Dialect } from '../client.js';

/**
 * Workflows (F26) with their runs, and outbound event webhooks (F28): endpoints, one delivery
 * per event and endpoint, and every attempt of a delivery (the delivery log).
 */
export function workflowsSchema(_dialect: Dialect) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('workflows')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('conditions', 'text', (c) => c.notNull())
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('run_without_contact', 'integer', (c) => c.notNull())
        .addColumn('max_runs_per_contact_per_hour', 'integer', (c) => c.notNull())
        .addColumn('signing_secret', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('workflows_tenant').on('workflows').columns(['tenant_id', 'enabled']).execute();

      await db.schema
        .createTable('workflow_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('workflow_id', 'text', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
        // One run per trigger message and contact: a retried trigger job never starts a second run.
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('trigger_type', 'text', (c) => c.notNull())
        .addColumn('trigger_message_id', 'text')
        .addColumn('contact_id', 'text')
        .addColumn('remote_number', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('next_step', 'integer', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('log', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('resume_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('workflow_runs_workflow').on('workflow_runs').columns(['workflow_id', 'created_at']).execute();
      await db.schema.createIndex('workflow_runs_contact').on('workflow_runs').columns(['workflow_id', 'contact_id', 'created_at']).execute();

      // Messages a workflow sent: they never trigger that workflow again.
      await db.schema
        .createTable('workflow_messages')
        .addColumn('message_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('event_webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('previous_secret', 'text')
        .addColumn('previous_secret_expires_at', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('disabled_reason', 'text')
        .addColumn('disabled_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('event_webhooks_tenant').on('event_webhooks').columns(['tenant_id', 'enabled']).execute();

      await db.schema
        .createTable('event_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('event_webhooks.id').onDelete('cascade'))
        .addColumn('event_type', 'text', (c) => c.notNull())
        // Same event about the same subject (a message's status) delivered once per endpoint, even if published twice.
        .addColumn('dedupe_key', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_status_code', 'integer')
        .addColumn('next_attempt_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('event_deliveries_dedupe').unique().on('event_deliveries').columns(['endpoint_id', 'dedupe_key']).execute();
      await db.schema.createIndex('event_deliveries_endpoint').on('event_deliveries').columns(['endpoint_id', 'created_at']).execute();

      await db.schema
        .createTable('event_delivery_attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'text', (c) => c.notNull().references('event_deliveries.id').onDelete('cascade'))
        .addColumn('endpoint_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('response_excerpt', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('event_delivery_attempts_delivery').on('event_delivery_attempts').columns(['delivery_id', 'attempt']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['event_delivery_attempts', 'event_deliveries', 'event_webhooks', 'workflow_messages', 'workflow_runs', 'workflows']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
