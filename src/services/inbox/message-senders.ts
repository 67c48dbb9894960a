/**
 * Who sent an outbound message, for the thread's "who said what": messages.created_by holds the
 * sender's id, whose prefix says what it is (usr_ a user, key_ an API key, wf_ a workflow) or a
 * system:* marker. Rows stored before senders were recorded (API key and notification sends had no
 * created_by) show no sender, except workflow sends, which workflow_messages still names.
 */
import type { Db } from '../../db/client.js';
import type { MessageTable } from '../../db/schema.js';
import type { Static } from '@sinclair/typebox';
import type { MessageSenderShape } from '../../lib/api-shapes.js';

export type SenderKind = 'user' | 'api_key' | 'workflow' | 'system';

export type MessageSender = Static<typeof MessageSenderShape>;

/** created_by markers of messages Switchboard sends by itself. */
export const SYSTEM_SENDER = {
  notification: 'system:notification',
  autoReply: 'system:auto_reply',
} as const;

const SYSTEM_NAMES: Record<string, string> = {
  [SYSTEM_SENDER.notification]: 'System notification',
  [SYSTEM_SENDER.autoReply]: 'Automatic reply',
};

type SenderRow = Pick<MessageTable, 'id' | 'tenant_id' | 'direction' | 'created_by'>;

const key = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

/** The senders of outbound rows by message id, in at most four queries whatever the number of rows. */
export async function sendersOf(db: Db, rows: SenderRow[]): Promise<Map<string, MessageSender>> {
  const outbound = rows.filter((row) => row.direction === 'outbound');
  const result = new Map<string, MessageSender>();
  if (outbound.length === 0) return result;
  const tenants = [...new Set(outbound.map((row) => row.tenant_id))];
  const idsWith = (prefix: string) => [...new Set(outbound.map((row) => row.created_by).filter((id): id is string => Boolean(id?.startsWith(prefix))))];
  const userIds = idsWith('usr_');
  const keyIds = idsWith('key_');
  const workflowIds = idsWith('wf_');
  const legacy = outbound.filter((row) => !row.created_by).map((row) => row.id);

  // Every lookup is keyed by (tenant, id): another tenant's key or user of the same id never names a message.
  const [users, keys, workflows, legacyWorkflows] = await Promise.all([
    userIds.length ? db.selectFrom('users').select(['id', 'tenant_id', 'name']).where('tenant_id', 'in', tenants).where('id', 'in', userIds).execute() : [],
    keyIds.length ? db.selectFrom('api_keys').select(['id', 'tenant_id', 'name']).where('tenant_id', 'in', tenants).where('id', 'in', keyIds).execute() : [],
    workflowIds.length ? db.selectFrom('workflows').select(['id', 'tenant_id', 'name']).where('tenant_id', 'in', tenants).where('id', 'in', workflowIds).execute() : [],
    legacy.length
      ? db
          .selectFrom('workflow_messages')
          .innerJoin('workflows', (join) => join.onRef('workflows.id', '=', 'workflow_messages.workflow_id').onRef('workflows.tenant_id', '=', 'workflow_messages.tenant_id'))
          .select(['workflow_messages.message_id', 'workflow_messages.tenant_id', 'workflows.name'])
          .where('workflow_messages.tenant_id', 'in', tenants)
          .where('workflow_messages.message_id', 'in', legacy)
          .execute()
      : [],
  ]);
  const names = new Map<string, MessageSender>();
  for (const row of users) names.set(key(row.tenant_id, row.id), { kind: 'user', name: row.name });
  for (const row of keys) names.set(key(row.tenant_id, row.id), { kind: 'api_key', name: row.name });
  for (const row of workflows) names.set(key(row.tenant_id, row.id), { kind: 'workflow', name: row.name });
  const byLegacyMessage = new Map(legacyWorkflows.map((row) => [key(row.tenant_id, row.message_id), { kind: 'workflow' as const, name: row.name }]));

  for (const row of outbound) {
    const sender = row.created_by
      ? SYSTEM_NAMES[row.created_by]
        ? { kind: 'system' as const, name: SYSTEM_NAMES[row.created_by]! }
        : names.get(key(row.tenant_id, row.created_by))
      : byLegacyMessage.get(key(row.tenant_id, row.id));
    if (sender) result.set(row.id, sender);
  }
  return result;
}
