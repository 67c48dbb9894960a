/** Wire shapes of Vonage payloads and the number format both APIs use (E.164 without "+"). */
import { MalformedWebhookError } from '../core/errors.js';
import type { WebhookRequest } from '../core/types.js';
import { formPairs } from '../core/http.js';

/** One part of an SMS API send answer (HTTP 200 even on failure). */
export interface VonageSmsSendPart {
  to?: string;
  'message-id'?: string;
  status: string;
  'error-text'?: string;
  'remaining-balance'?: string;
  'message-price'?: string;
  network?: string;
}

/** Messages API inbound and status webhook body. */
export interface VonageMessagesEvent {
  message_uuid?: string;
  to?: string;
  from?: string;
  timestamp?: string;
  channel?: string;
  message_type?: string;
  text?: string;
  status?: string;
  client_ref?: string;
  image?: { url?: string; caption?: string };
  video?: { url?: string; caption?: string };
  audio?: { url?: string };
  file?: { url?: string; caption?: string };
  vcard?: { url?: string };
  error?: { type?: string; title?: string; detail?: string; instance?: string };
}

export function toVonageNumber(value: string): string {
  return /^\+\d+$/.test(value) ? value.slice(1) : value;
}

/** Vonage numbers lack the "+"; short codes and sender IDs stay as they are. */
export function fromVonageNumber(value: string): string {
  return /^[1-9]\d{6,14}$/.test(value) ? `+${value}` : value;
}

/**
 * SMS API webhook parameters from GET query, POST form or POST-JSON (a dashboard choice), all
 * as strings. Returns null when a POST body is neither.
 */
export function vonageSmsParams(request: WebhookRequest): Record<string, string> | null {
  if (request.method === 'GET') return { ...request.query };
  const text = request.rawBody.toString('utf8');
  if (/json/i.test(String(request.headers['content-type'] ?? '')) || text.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  }
  return Object.fromEntries(formPairs(request.rawBody));
}

export function parseJsonObject<T>(rawBody: Buffer, what: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new MalformedWebhookError(`${what} body is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new MalformedWebhookError(`${what} body is not a JSON object`);
  return parsed as T;
}
