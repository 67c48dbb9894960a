/**
 * Reading the flat webhooks of carriers that post JSON, forms or GET queries interchangeably
 * (Wavix, Voxtelesys, VoIP Innovations, VoiceMeUp). Anything that is not an object of fields is
 * malformed, so a truncated or garbled body is answered 4xx, never 5xx.
 */
import { MalformedWebhookError } from './errors.js';
import { formPairs, header } from './http.js';
import type { WebhookRequest } from './types.js';

export type WebhookFields = Record<string, unknown>;

export function readWebhookFields(request: WebhookRequest, options: { json: 'always' | 'by-content-type' } = { json: 'by-content-type' }): WebhookFields {
  if (request.method === 'GET') return withoutToken({ ...request.query });
  const text = request.rawBody.toString('utf8');
  if (text.includes('\u0000')) throw new MalformedWebhookError('the body contains NUL characters');
  const looksJson = /json/i.test(header(request.headers, 'content-type') ?? '') || /^\s*[[{]/.test(text);
  if (options.json === 'always' || looksJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new MalformedWebhookError('the body is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new MalformedWebhookError('the JSON body is not an object');
    return parsed as WebhookFields;
  }
  return withoutToken(Object.fromEntries(formPairs(request.rawBody)));
}

/** Our URL token is not a carrier field. */
function withoutToken(fields: WebhookFields): WebhookFields {
  delete fields.token;
  return fields;
}

/** A string field (numbers accepted as their text); undefined when absent, malformed when of another type. */
export function textField(fields: WebhookFields, key: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new MalformedWebhookError(`${key} must be a string, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

export function requiredText(fields: WebhookFields, key: string): string {
  const value = textField(fields, key);
  if (value === undefined || value.trim() === '') throw new MalformedWebhookError(`${key} is missing`);
  return value;
}

/** Table lookup that ignores inherited keys ("constructor" is no status). */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string | undefined): T | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** `15551234567` or `+15551234567` → `+15551234567`; anything else (short codes, names) unchanged. */
export function plusDigits(value: string): string {
  const trimmed = value.trim();
  return /^\d{8,15}$/.test(trimmed) ? `+${trimmed}` : trimmed;
}

/** An ISO time from the carrier, kept only when it parses and lies in the last week (an hour of clock skew allowed). */
export function boundedTime(value: string | undefined, now: Date): string | undefined {
  if (!value) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at) || at > now.getTime() + 3600_000 || at < now.getTime() - 7 * 24 * 3600_000) return undefined;
  return new Date(at).toISOString();
}
