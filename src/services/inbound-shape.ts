/**
 * What an adapter parsed, checked before anything is stored: a validly signed webhook can still
 * carry nonsense (numbers where text belongs, NUL characters PostgreSQL rejects, timestamps in
 * the year 200000). Problems become a 400 naming the field; provider timestamps are bounded.
 */
import type { ParsedWebhook } from '../providers/core/types.js';

const MAX_ID = 200;
const MAX_NUMBER = 64;
const MAX_BODY = 100_000;
const MAX_MEDIA = 20;
const MAX_URL = 4000;
/** Provider clocks are believed within this window around ours. */
const PAST_LIMIT_MS = 366 * 24 * 60 * 60_000;
const FUTURE_LIMIT_MS = 24 * 60 * 60_000;

export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item, depth + 1));
}

function text(value: unknown, field: string, max: number, allowEmpty = false): string | null {
  if (typeof value !== 'string') return `${field} must be text, got ${value === null ? 'null' : typeof value}`;
  if (!allowEmpty && value.trim() === '') return `${field} is empty`;
  if (value.length > max) return `${field} is longer than ${max} characters`;
  if (value.includes('\u0000')) return `${field} contains a NUL character`;
  return null;
}

/** A provider timestamp we can store, or undefined (we use our own clock) when it is absent or absurd. */
export function boundedTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const now = Date.now();
  if (ms < now - PAST_LIMIT_MS || ms > now + FUTURE_LIMIT_MS) return undefined;
  return new Date(ms).toISOString();
}

/** Returns the first problem, or null; clamps timestamps in place. */
export function checkParsedWebhook(parsed: ParsedWebhook): string | null {
  if (!parsed || !Array.isArray(parsed.inbound) || !Array.isArray(parsed.statuses)) return 'the parsed webhook has no inbound or status list';
  for (const [index, message] of parsed.inbound.entries()) {
    const at = `inbound[${index}]`;
    const problem =
      text(message.providerMessageId, `${at} message id`, MAX_ID) ??
      text(message.from, `${at} from`, MAX_NUMBER) ??
      (Array.isArray(message.to) && message.to.length > 0 && message.to.length <= 50 ? null : `${at} to must be a list of 1 to 50 numbers`) ??
      message.to.map((to, i) => text(to, `${at} to[${i}]`, MAX_NUMBER)).find(Boolean) ??
      text(message.body ?? '', `${at} body`, MAX_BODY, true) ??
      (Array.isArray(message.media) && message.media.length <= MAX_MEDIA ? null : `${at} media must be a list of at most ${MAX_MEDIA}`) ??
      message.media.map((item, i) => text(item?.url, `${at} media[${i}].url`, MAX_URL) ?? (/^https?:\/\//i.test(item.url) ? null : `${at} media[${i}].url is not an http(s) URL`)).find(Boolean) ??
      null;
    if (problem) return problem;
    message.body ??= '';
    message.receivedAt = boundedTimestamp(message.receivedAt);
  }
  for (const [index, update] of parsed.statuses.entries()) {
    const at = `status[${index}]`;
    const problem =
      text(update.providerMessageId, `${at} message id`, MAX_ID) ??
      text(update.status, `${at} status`, 20) ??
      (update.errorCode === undefined || update.errorCode === null ? null : text(String(update.errorCode), `${at} error code`, 100)) ??
      (update.errorMessage === undefined || update.errorMessage === null ? null : text(String(update.errorMessage), `${at} error message`, 2000, true)) ??
      null;
    if (problem) return problem;
    if (typeof update.providerStatus !== 'string') update.providerStatus = String(update.providerStatus ?? update.status).slice(0, 100);
    update.at = boundedTimestamp(update.at);
  }
  return null;
}
