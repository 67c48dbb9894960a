/**
 * Conversation labels (issue 12): tables, the API shape, and applying labels to conversations.
 * Tables are added with withTables so the core schema stays as it is (like the routing tables).
 */
import type { Db } from '../../db/client.js';
import { now } from '../../db/client.js';
import { AppError } from '../../errors.js';
import type { Executor } from '../routing/types.js';
import type { Static } from '@sinclair/typebox';
import type { LabelShape } from '../../lib/api-shapes.js';

export interface LabelTable {
  id: string;
  tenant_id: string;
  name: string;
  /** Trimmed, lower-cased name: unique per tenant, so "VIP" and "vip" are one label. */
  name_key: string;
  /** #rrggbb */
  color: string;
  created_at: string;
  updated_at: string;
}

export interface ConversationLabelTable {
  conversation_id: string;
  label_id: string;
  tenant_id: string;
  created_at: string;
}

type LabelTables = { labels: LabelTable; conversation_labels: ConversationLabelTable };

export function withLabels(executor: Executor) {
  return executor.withTables<LabelTables>();
}

export type ApiLabel = Static<typeof LabelShape>;

export const nameKey = (name: string) => name.normalize('NFC').trim().toLowerCase();

export function serializeLabel(row: LabelTable): ApiLabel & { createdAt: string; updatedAt: string } {
  return { id: row.id, name: row.name, color: row.color, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** labels: [{id, name, color}] for each conversation, by name (serializeConversations). */
export async function labelsOfConversations(executor: Executor, conversationIds: string[]): Promise<Map<string, ApiLabel[]>> {
  const result = new Map<string, ApiLabel[]>();
  if (conversationIds.length === 0) return result;
  const rows = await withLabels(executor)
    .selectFrom('conversation_labels')
    .innerJoin('labels', 'labels.id', 'conversation_labels.label_id')
    .select(['conversation_labels.conversation_id', 'labels.id', 'labels.name', 'labels.color'])
    .where('conversation_labels.conversation_id', 'in', conversationIds)
    .orderBy('labels.name_key')
    .execute();
  for (const row of rows) {
    const list = result.get(row.conversation_id) ?? [];
    list.push({ id: row.id, name: row.name, color: row.color });
    result.set(row.conversation_id, list);
  }
  return result;
}

/** The tenant's labels with these ids; an id that is not one (another tenant's, say) is a 400 naming it. */
export async function requireTenantLabels(db: Db, tenantId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const found = new Set((await withLabels(db).selectFrom('labels').select('id').where('tenant_id', '=', tenantId).where('id', 'in', unique).execute()).map((row) => row.id));
  const unknown = unique.find((id) => !found.has(id));
  if (unknown) throw new AppError('validation_error', `label "${unknown}" is not a label of this tenant; create it first (POST /api/v1/labels)`);
  return unique;
}

/** Adds and removes labels on one conversation; answers whether anything changed. */
export async function changeConversationLabels(
  db: Db,
  conversation: { id: string; tenant_id: string },
  change: { add?: string[]; remove?: string[]; replace?: boolean },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const tx = withLabels(trx);
    const current = new Set((await tx.selectFrom('conversation_labels').select('label_id').where('conversation_id', '=', conversation.id).execute()).map((row) => row.label_id));
    const add = (change.add ?? []).filter((id) => !current.has(id));
    const remove = change.replace ? [...current].filter((id) => !(change.add ?? []).includes(id)) : (change.remove ?? []).filter((id) => current.has(id));
    if (remove.length) await tx.deleteFrom('conversation_labels').where('conversation_id', '=', conversation.id).where('label_id', 'in', remove).execute();
    const at = now();
    for (const labelId of add) {
      await tx
        .insertInto('conversation_labels')
        .values({ conversation_id: conversation.id, label_id: labelId, tenant_id: conversation.tenant_id, created_at: at })
        .onConflict((oc) => oc.columns(['conversation_id', 'label_id']).doNothing())
        .execute();
    }
    return add.length + remove.length > 0;
  });
}
