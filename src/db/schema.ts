/**
 * Table types for Kysely. Portable across SQLite and PostgreSQL: ids are text, timestamps are
 * ISO-8601 UTC text (fixed width, so they sort), booleans are 0/1 integers, JSON is text.
 */
import type { Generated } from 'kysely';

export interface TenantTable {
  id: string;
  name: string;
  settings: string;
  created_at: string;
}

export interface UserTable {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'agent';
  password_hash: string | null;
  extension: string | null;
  mobile: string | null;
  send_permission: 'none' | 'number' | 'sender_id';
  caller_ids: string;
  group_ids: string;
  settings: string;
  created_at: string;
  updated_at: string;
}

export interface ApiKeyTable {
  id: string;
  tenant_id: string;
  name: string;
  key_hash: string;
  prefix: string;
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  /** The user who created the key; null for keys made by the CLI. */
  created_by: string | null;
  /** The role the key acts with: its creator's at creation, never above admin. Null acts as admin (CLI keys). */
  role: 'admin' | 'agent' | null;
}

export interface SessionTable {
  id: string;
  tenant_id: string;
  user_id: string;
  csrf_token: string;
  expires_at: string;
  created_at: string;
  last_seen_at: string | null;
}

export interface ProviderAccountTable {
  id: string;
  tenant_id: string;
  type: string;
  name: string;
  credentials: string;
  base_url: string | null;
  source: 'api' | 'env';
  /** Unguessable token carried in webhook URLs of providers that do not sign their webhooks. */
  webhook_token: string;
  created_at: string;
  updated_at: string;
}

export interface NumberTable {
  id: string;
  tenant_id: string;
  number: string;
  provider_account_id: string;
  destinations: string;
  system_notification: number;
  default_country: string | null;
  mps: number | null;
  /** Next free send slot (ISO time) for pacing at `mps`. */
  next_send_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConversationTable {
  id: string;
  tenant_id: string;
  number_id: string | null;
  our_number: string;
  remote_key: string;
  remote_numbers: string;
  assigned_user_id: string | null;
  last_message_id: string | null;
  last_message_at: string | null;
  unread_count: number;
  created_at: string;
  updated_at: string;
  /** open | pending | resolved | snoozed (migration 0008); a new inbound message reopens it. */
  status: ConversationStatus;
  snoozed_until: string | null;
}

export type ConversationStatus = 'open' | 'pending' | 'resolved' | 'snoozed';

export interface MessageTable {
  id: string;
  tenant_id: string;
  conversation_id: string;
  number_id: string | null;
  direction: 'inbound' | 'outbound';
  from_number: string;
  to_numbers: string;
  body: string;
  encoding: string;
  segments: number;
  status: string;
  provider_account_id: string | null;
  provider_type: string | null;
  provider_message_id: string | null;
  error_code: string | null;
  error_message: string | null;
  idempotency_key: string | null;
  send_at: string | null;
  created_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  created_by: string | null;
  media_count: number;
}

export interface MessageStatusTable {
  id: Generated<number>;
  tenant_id: string;
  message_id: string;
  status: string;
  at: string;
  detail: string | null;
}

export interface MediaTable {
  id: string;
  tenant_id: string;
  message_id: string | null;
  content_type: string;
  size: number;
  storage_key: string | null;
  source_url: string | null;
  status: 'stored' | 'pending' | 'failed' | 'remote';
  created_at: string;
}

export interface MediaBlobTable {
  id: string;
  data: Buffer;
}

export interface JobTable {
  id: Generated<number>;
  name: string;
  payload: string;
  run_at: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  dead: number;
  created_at: string;
  /** The tenant the job works for, so one tenant cannot take every worker slot. */
  tenant_id: string | null;
}

export interface AuthThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
  blocked_until: string | null;
  updated_at: string;
}

export interface InstanceSettingTable {
  key: string;
  value: string;
}

export interface WebhookLogTable {
  id: Generated<number>;
  tenant_id: string | null;
  provider_account_id: string | null;
  provider_type: string;
  method: string;
  url: string;
  verdict: 'accepted' | 'duplicate' | 'refused';
  reason: string | null;
  http_status: number;
  remote_ip: string | null;
  created_at: string;
  /** How the request arrived: `webhook` (HTTP) or `smpp` (deliver_sm). */
  transport: Generated<string>;
}

/** Status callbacks that arrived before the send job stored the provider's message id. */
export interface PendingStatusTable {
  id: Generated<number>;
  provider_account_id: string;
  provider_message_id: string;
  payload: string;
  created_at: string;
}

export interface Database {
  tenants: TenantTable;
  users: UserTable;
  api_keys: ApiKeyTable;
  sessions: SessionTable;
  provider_accounts: ProviderAccountTable;
  numbers: NumberTable;
  conversations: ConversationTable;
  messages: MessageTable;
  message_status: MessageStatusTable;
  media: MediaTable;
  media_blobs: MediaBlobTable;
  jobs: JobTable;
  webhook_log: WebhookLogTable;
  pending_status: PendingStatusTable;
  smpp_leases: SmppLeaseTable;
  smpp_mo_parts: SmppMoPartTable;
  inbound_parts: InboundPartTable;
  message_parts: MessagePartTable;
  smpp_outbox: SmppOutboxTable;
  auth_throttle: AuthThrottleTable;
  instance_settings: InstanceSettingTable;
  audit_log: AuditLogTable;
  templates: TemplateTable;
  cases: CaseTable;
  case_messages: CaseMessageTable;
  send_dispatches: SendDispatchTable;
  documents: DocumentTable;
  workflows: WorkflowTable;
  workflow_runs: WorkflowRunTable;
  workflow_messages: WorkflowMessageTable;
  event_webhooks: EventWebhookTable;
  event_deliveries: EventDeliveryTable;
  event_delivery_attempts: EventDeliveryAttemptTable;
}

/** Which node holds an SMPP account's bind, until when, and the bind's live state. */
export interface SmppLeaseTable {
  provider_account_id: string;
  holder: string;
  expires_at: string;
  state: string;
  last_error: string | null;
  state_at: string;
}

/** Acknowledged parts of a concatenated SMPP MO message waiting for their siblings. */
export interface SmppMoPartTable {
  provider_account_id: string;
  group_key: string;
  part_number: number;
  part_count: number;
  body: string;
  /** JSON: sender, recipient and time of the part. */
  payload: string;
  created_at: string;
}

/** Acknowledged parts of a split inbound message (VoiceMeUp MMS) waiting to be stored as one (services/inbound-parts.ts). */
export interface InboundPartTable {
  provider_account_id: string;
  /** The carrier's id of this part (VoiceMeUp `sms_hash`). */
  part_id: string;
  group_key: string;
  role: 'text' | 'media';
  tenant_id: string;
  number_id: string;
  number: string;
  /** JSON InboundMessage of the part (raw payload left out). */
  payload: string;
  created_at: string;
  /** Provider id of the message the part was stored in; null while waiting. */
  joined_as: string | null;
}

/** One SMSC message id per part of a multi-part send; receipts are matched per part. */
export interface MessagePartTable {
  provider_account_id: string;
  provider_message_id: string;
  message_id: string;
  tenant_id: string;
  part_number: number;
  part_count: number;
  status: string;
  error_code: string | null;
  updated_at: string;
}

/** One admin action (F29); `changes` is JSON with secrets redacted. */
export interface AuditLogTable {
  id: string;
  tenant_id: string;
  actor_type: 'user' | 'api_key' | 'system';
  actor_id: string | null;
  source_ip: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  target_label: string | null;
  changes: string | null;
  created_at: string;
}

/** A saved message text with Liquid variables (F24); media_ids is a JSON list of media ids. */
export interface TemplateTable {
  id: string;
  tenant_id: string;
  name: string;
  body: string;
  media_ids: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** A support case (F23); `token` (e.g. SB-7K2QX9) is appended to messages sent in its scope. */
export interface CaseTable {
  id: string;
  tenant_id: string;
  token: string;
  title: string;
  status: 'open' | 'closed';
  contact_id: string | null;
  conversation_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  last_outbound_at: string | null;
}

/** A send being handed to its provider (migration 0016). */
export interface SendDispatchTable {
  message_id: string;
  started_at: string;
}

export interface CaseMessageTable {
  message_id: string;
  case_id: string;
  tenant_id: string;
  created_at: string;
  /** The message's conversation and direction (null only on rows older than migration 0015 whose message is gone). */
  conversation_id: string | null;
  direction: 'inbound' | 'outbound' | null;
}

/** A document sent as a short link PUBLIC_URL/d/<code> instead of MMS (F20). */
export interface DocumentTable {
  id: string;
  tenant_id: string;
  code: string;
  filename: string;
  content_type: string;
  size: number;
  data: Buffer;
  created_by: string | null;
  message_id: string | null;
  expires_at: string | null;
  first_opened_at: string | null;
  open_count: number;
  created_at: string;
}

/** A workflow (F26): trigger, conditions and steps as JSON (services/automation/workflow-spec.ts). */
export interface WorkflowTable {
  id: string;
  tenant_id: string;
  name: string;
  enabled: number;
  trigger: string;
  conditions: string;
  steps: string;
  run_without_contact: number;
  max_runs_per_contact_per_hour: number;
  /** Sealed whsec_ secret that signs the workflow's HTTP webhook steps. */
  signing_secret: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface WorkflowRunTable {
  id: string;
  tenant_id: string;
  workflow_id: string;
  dedupe_key: string;
  trigger_type: string;
  trigger_message_id: string | null;
  contact_id: string | null;
  remote_number: string | null;
  status: 'running' | 'waiting' | 'completed' | 'stopped' | 'failed' | 'skipped';
  next_step: number;
  /** JSON: the message (and trigger) data templates and conditions see. */
  data: string;
  /** JSON array of step outcomes. */
  log: string;
  error: string | null;
  resume_at: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface WorkflowMessageTable {
  message_id: string;
  tenant_id: string;
  workflow_id: string;
  run_id: string;
}

/** A tenant's endpoint subscribed to events (F28). Secrets are sealed. */
export interface EventWebhookTable {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  events: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface EventDeliveryTable {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_type: string;
  dedupe_key: string | null;
  /** The exact JSON body sent (and resent). */
  payload: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status_code: number | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface EventDeliveryAttemptTable {
  id: string;
  tenant_id: string;
  delivery_id: string;
  endpoint_id: string;
  attempt: number;
  status_code: number | null;
  latency_ms: number;
  response_excerpt: string | null;
  error: string | null;
  created_at: string;
}

/** A send handed by a node without the SMPP bind to the node holding it; the result comes back here. */
export interface SmppOutboxTable {
  id: string;
  provider_account_id: string;
  /** JSON OutboundMessage. */
  message: string;
  claimed_by: string | null;
  /** JSON: { ok: SendResult } or { error: { kind, message, code } }. */
  result: string | null;
  created_at: string;
}
