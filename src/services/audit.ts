/**
 * Audit log (F29): who (user or API key) did which admin action to what, from where, and what
 * changed, with secrets redacted. Write it in the same transaction as the change it records.
 */
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { now } from '../db/client.js';
import type { Database } from '../db/schema.js';
import { newId } from '../lib/ids.js';

export interface AuditActor {
  type: 'user' | 'api_key' | 'system';
  /** User id or API key id; null for the system (CLI, retention). */
  id: string | null;
}

export interface AuditTarget {
  /** What kind of thing: 'template', 'tenant', 'user', 'api_key', 'number', 'provider_account', 'group', 'opt_out', 'workflow', 'webhook_endpoint'… */
  type: string;
  id: string | null;
  /** A human label (name, number) kept even after the target is deleted. */
  label?: string | null;
}

/** Field → value (for creations and deletions) or field → { from, to } (for updates, see diffChanges). */
export type AuditChanges = Record<string, unknown>;

export interface AuditEntry {
  tenantId: string;
  actor: AuditActor;
  sourceIp: string | null;
  /** Dotted verb, e.g. 'template.created', 'tenant.updated', 'api_key.revoked'. */
  action: string;
  target: AuditTarget;
  changes?: AuditChanges | null;
}

const SECRET_KEY = /pass(word)?|secret|token|credential|auth|api_?key|key_hash|private|signing/i;
const REDACTED = '[redacted]';
const MAX_CHANGES_JSON = 16_000;

/** Records one admin action. `executor` is the db or the transaction making the change. */
export async function recordAudit(executor: Kysely<Database>, entry: AuditEntry): Promise<void> {
  let changes = entry.changes ? JSON.stringify(redactSecrets(entry.changes)) : null;
  if (changes && changes.length > MAX_CHANGES_JSON) changes = JSON.stringify({ truncated: true, fields: Object.keys(entry.changes!) });
  await executor
    .insertInto('audit_log')
    .values({
      id: newId('aud'),
      tenant_id: entry.tenantId,
      actor_type: entry.actor.type,
      actor_id: entry.actor.id,
      source_ip: entry.sourceIp,
      action: entry.action,
      target_type: entry.target.type,
      target_id: entry.target.id,
      target_label: entry.target.label ?? null,
      changes,
      created_at: now(),
    })
    .execute();
}

/** The actor and source address of an authenticated API request (session user or API key). */
export function auditSource(request: FastifyRequest): { tenantId: string; actor: AuditActor; sourceIp: string | null } {
  const auth = request.auth;
  const actor: AuditActor = auth.via === 'apikey' ? { type: 'api_key', id: auth.apiKeyId } : { type: 'user', id: auth.userId };
  return { tenantId: auth.tenantId, actor, sourceIp: request.ip ?? null };
}

/** Field-by-field differences between two plain objects: { field: { from, to } } for changed fields only. */
export function diffChanges(before: Record<string, unknown>, after: Record<string, unknown>): AuditChanges {
  const changes: AuditChanges = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { from: before[key] ?? null, to: after[key] ?? null };
  }
  return changes;
}

/** Replaces values under secret-looking keys (passwords, tokens, credentials…) at any depth. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== null && item !== undefined ? REDACTED : redactSecrets(item, depth + 1);
  }
  return out;
}
