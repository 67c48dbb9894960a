/**
 * Row types of the routing migration (0002_routing) and tenant settings this feature owns.
 * Tables are added to the query builder with withTables so the core schema file stays as it is.
 */
import type { Db } from '../../db/client.js';
import type { Executor } from './types.js';

export interface GroupTable {
  id: string;
  tenant_id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface ContactTable {
  id: string;
  tenant_id: string;
  name: string;
  fields: string;
  tags: string;
  allow_sms: number;
  created_at: string;
  updated_at: string;
}

export interface ContactPhoneTable {
  contact_id: string;
  tenant_id: string;
  phone: string;
  position: number;
}

export interface ConversationContactTable {
  conversation_id: string;
  contact_id: string;
  tenant_id: string;
  linked_by: 'auto' | 'manual';
  created_at: string;
}

export interface OptOutTable {
  id: string;
  tenant_id: string;
  phone: string;
  /** A number id, or 'tenant' for every number of the tenant. */
  scope: string;
  source: 'keyword' | 'carrier' | 'admin' | 'import';
  detail: string | null;
  created_at: string;
}

export interface EmailCopyTable {
  id: string;
  tenant_id: string;
  message_id: string;
  recipients: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  smtp_message_id: string | null;
  error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface AutoReplyTable {
  tenant_id: string;
  number_id: string;
  phone: string;
  kind: string;
  last_sent_at: string;
}

export type RoutingTables = {
  groups: GroupTable;
  contacts: ContactTable;
  contact_phones: ContactPhoneTable;
  conversation_contacts: ConversationContactTable;
  opt_outs: OptOutTable;
  email_copies: EmailCopyTable;
  auto_replies: AutoReplyTable;
};

export function routingDb(db: Db) {
  return db.withTables<RoutingTables>();
}
export type RoutingDb = ReturnType<typeof routingDb>;

/** A transaction or the database, seen with the routing tables. */
export function withRouting(executor: Executor) {
  return executor.withTables<RoutingTables>();
}

/** Tenant settings this feature reads (tenants.settings, under its own keys). */
export interface ComplianceSettings {
  /** Whether STOP opts out of the number texted ('number') or of every number ('tenant'). */
  optOutScope: 'number' | 'tenant';
  optOutReply: string;
  optInReply: string;
  helpText: string;
  /** The one answer to texts sent to a system notification number. */
  unmonitoredReply: string;
}

export const DEFAULT_COMPLIANCE: ComplianceSettings = {
  optOutScope: 'number',
  optOutReply: 'You have been unsubscribed and will receive no further messages from this number. Reply START to resubscribe.',
  optInReply: 'You have been resubscribed and can receive messages from this number again. Reply STOP to unsubscribe.',
  helpText: 'Reply STOP to unsubscribe, START to resubscribe. Msg & data rates may apply.',
  unmonitoredReply: 'This number is not monitored and cannot receive replies.',
};

export interface NotificationTemplateSettings {
  template: string;
  /** Longest notification, in SMS segments; the transcription is shortened to fit. */
  maxSegments: number;
}

export const DEFAULT_NOTIFICATION_TEMPLATE: NotificationTemplateSettings = {
  template:
    'New voicemail for {{ extension }} from {% if caller_name %}{{ caller_name }} ({{ caller_number }}){% else %}{{ caller_number }}{% endif %}{% if duration %}, {{ duration }}{% endif %}.{% if transcription %} "{{ transcription }}"{% endif %}',
  maxSegments: 3,
};

async function readTenantSettings(db: Db, tenantId: string): Promise<Record<string, unknown>> {
  const row = await db.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirst();
  if (!row) return {};
  try {
    const parsed = JSON.parse(row.settings) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function getComplianceSettings(db: Db, tenantId: string): Promise<ComplianceSettings> {
  const settings = await readTenantSettings(db, tenantId);
  return { ...DEFAULT_COMPLIANCE, ...((settings.compliance as Partial<ComplianceSettings> | undefined) ?? {}) };
}

export async function getNotificationTemplate(db: Db, tenantId: string): Promise<NotificationTemplateSettings> {
  const settings = await readTenantSettings(db, tenantId);
  return { ...DEFAULT_NOTIFICATION_TEMPLATE, ...((settings.notificationTemplate as Partial<NotificationTemplateSettings> | undefined) ?? {}) };
}

/** Replaces one key of tenants.settings, leaving keys other features own untouched. */
export async function writeTenantSetting(db: Db, tenantId: string, key: 'compliance' | 'notificationTemplate', value: unknown): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirstOrThrow();
    let settings: Record<string, unknown> = {};
    try {
      settings = JSON.parse(row.settings) as Record<string, unknown>;
    } catch {
      settings = {};
    }
    settings[key] = value;
    await trx.updateTable('tenants').set({ settings: JSON.stringify(settings) }).where('id', '=', tenantId).execute();
  });
}

/** Per-user settings this feature reads (users.settings). */
export interface UserRoutingSettings {
  /** Email copies of inbound messages on the user's numbers (F11). */
  emailCopies?: boolean;
  /** The caller ID the compose form picks first (F16). */
  defaultCallerId?: string | null;
}

export function userSettings(raw: string): UserRoutingSettings & Record<string, unknown> {
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
