/**
 * The template store (F24): named message texts with Liquid variables and optional media.
 * Used by compose, POST /messages (templateId), workflows and the team inbox's canned replies.
 */
import type { Kysely } from 'kysely';
import { now } from '../../db/client.js';
import type { Database, TemplateTable } from '../../db/schema.js';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import { parseTemplate } from './render.js';

export interface ApiTemplate {
  id: string;
  name: string;
  body: string;
  mediaIds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface TemplateInput {
  name: string;
  body: string;
  mediaIds?: string[];
}

export function serializeTemplate(row: TemplateTable): ApiTemplate {
  return { id: row.id, name: row.name, body: row.body, mediaIds: JSON.parse(row.media_ids) as string[], createdAt: row.created_at, updatedAt: row.updated_at };
}

export async function findTemplate(db: Kysely<Database>, tenantId: string, id: string): Promise<TemplateTable> {
  const row = await db.selectFrom('templates').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('template', id);
  return row;
}

/** Checks name, Liquid syntax and that every media id is this tenant's stored media. */
async function validateInput(executor: Kysely<Database>, tenantId: string, input: Partial<TemplateInput>): Promise<void> {
  if (input.name !== undefined && (!input.name.trim() || input.name.includes('\u0000'))) throw new AppError('validation_error', 'name must not be empty or contain NUL characters');
  if (input.body !== undefined) {
    if (input.body.includes('\u0000')) throw new AppError('validation_error', 'body must not contain NUL characters');
    parseTemplate(input.body);
  }
  const mediaIds = input.mediaIds ?? [];
  if (mediaIds.length > 0) {
    const found = await executor.selectFrom('media').select('id').where('tenant_id', '=', tenantId).where('id', 'in', mediaIds).where('status', '=', 'stored').execute();
    const missing = mediaIds.find((id) => !found.some((row) => row.id === id));
    if (missing) throw new AppError('validation_error', `mediaIds: "${missing}" is not media uploaded to this tenant (POST /media)`);
  }
}

const isNameTaken = (error: unknown) => /unique|duplicate/i.test((error as Error).message);

export async function createTemplate(executor: Kysely<Database>, tenantId: string, userId: string | null, input: TemplateInput): Promise<TemplateTable> {
  await validateInput(executor, tenantId, input);
  const at = now();
  const row: TemplateTable = { id: newId('tpl'), tenant_id: tenantId, name: input.name.trim(), body: input.body, media_ids: JSON.stringify([...new Set(input.mediaIds ?? [])]), created_by: userId, created_at: at, updated_at: at };
  try {
    await executor.insertInto('templates').values(row).execute();
  } catch (error) {
    if (isNameTaken(error)) throw new AppError('conflict', `a template named "${row.name}" already exists`);
    throw error;
  }
  return row;
}

export async function updateTemplate(executor: Kysely<Database>, existing: TemplateTable, input: Partial<TemplateInput>): Promise<TemplateTable> {
  await validateInput(executor, existing.tenant_id, input);
  const changes: Partial<TemplateTable> = { updated_at: now() };
  if (input.name !== undefined) changes.name = input.name.trim();
  if (input.body !== undefined) changes.body = input.body;
  if (input.mediaIds !== undefined) changes.media_ids = JSON.stringify([...new Set(input.mediaIds)]);
  try {
    await executor.updateTable('templates').set(changes).where('tenant_id', '=', existing.tenant_id).where('id', '=', existing.id).execute();
  } catch (error) {
    if (isNameTaken(error)) throw new AppError('conflict', `a template named "${changes.name}" already exists`);
    throw error;
  }
  return { ...existing, ...changes };
}
