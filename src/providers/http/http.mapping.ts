/**
 * Inbound messages and delivery receipts mapped from a carrier's webhook with the account's
 * paths: JSON bodies by JSON path, form posts and GET queries by field name. A receipt is a
 * webhook whose receipt.statusPath finds a value; anything else is an inbound message.
 */
import { createHash } from 'node:crypto';
import { MalformedWebhookError } from '../core/errors.js';
import { formPairs, header } from '../core/http.js';
import type { InboundMessage, ParsedWebhook, StatusUpdate, WebhookRequest } from '../core/types.js';
import type { HttpConfig } from './http.config.js';
import { asText, lookupField, lookupJson, type FieldMap } from './http.path.js';
import { numberFilters } from './http.template.js';

type Source = { kind: 'json'; document: unknown } | { kind: 'fields'; fields: FieldMap };

const MAX_BODY_CHARS = 20_000;
const MAX_MEDIA = 20;
const MAX_ID_LENGTH = 200;

function fieldMap(pairs: Iterable<[string, string]>): FieldMap {
  const map = new Map<string, string[]>();
  for (const [key, value] of pairs) map.set(key, [...(map.get(key) ?? []), value]);
  return map;
}

/** The webhook's data: the GET query (less our token), a JSON body, or form fields. */
export function readSource(request: WebhookRequest): Source {
  if (request.method === 'GET') return { kind: 'fields', fields: fieldMap(Object.entries(request.query).filter(([key]) => key !== 'token')) };
  const text = request.rawBody.toString('utf8');
  if (text.includes('\u0000')) throw new MalformedWebhookError('the body contains NUL characters');
  const contentType = header(request.headers, 'content-type') ?? '';
  if (/json/i.test(contentType) || /^\s*[{[]/.test(text)) {
    try {
      const document: unknown = JSON.parse(text);
      if (document !== null && typeof document === 'object') return { kind: 'json', document };
    } catch {
      // reported below
    }
    throw new MalformedWebhookError('the body is not a JSON object');
  }
  if (text.trim() === '') throw new MalformedWebhookError('the body is empty');
  return { kind: 'fields', fields: fieldMap(formPairs(request.rawBody)) };
}

function values(source: Source, path: string): unknown {
  return source.kind === 'json' ? lookupJson(source.document, path) : lookupField(source.fields, path);
}

/** A mapped value as text; NUL (which PostgreSQL cannot store) is refused naming the field. */
function text(source: Source, field: string, path: string): string | undefined {
  const value = asText(values(source, path));
  if (value !== undefined && value.includes('\u0000')) throw new MalformedWebhookError(`${field}: "${path}" contains a NUL character`);
  return value;
}

function required(source: Source, field: string, path: string): string {
  const value = text(source, field, path);
  if (value === undefined || value.trim() === '') throw new MalformedWebhookError(`${field}: "${path}" found nothing in the payload`);
  return value;
}

function optional(source: Source, field: string, path: string | undefined): string | undefined {
  return path === undefined ? undefined : text(source, field, path);
}

function mediaUrls(source: Source, path: string | undefined): string[] {
  if (path === undefined) return [];
  const found = values(source, path);
  const list = Array.isArray(found) ? found : found === undefined ? [] : [found];
  return list
    .map((item) => (typeof item === 'string' ? item : typeof (item as { url?: unknown })?.url === 'string' ? (item as { url: string }).url : ''))
    .filter((url) => /^https?:\/\/[^\s\u0000]+$/i.test(url) && url.length <= 2000)
    .slice(0, MAX_MEDIA);
}

function phone(value: string): string {
  return numberFilters.e164(value.trim());
}

export function mapWebhook(config: HttpConfig, request: WebhookRequest): ParsedWebhook {
  if (!config.inbound && !config.receipt) throw new MalformedWebhookError('this account maps no inbound messages or receipts (set inbound or receipt in its configuration)');
  const source = readSource(request);
  const receipt = config.receipt;
  const word = receipt ? text(source, 'receipt.statusPath', receipt.statusPath) : undefined;
  if (receipt && word !== undefined) return { inbound: [], statuses: [mapReceipt(config, source, word)] };
  if (!config.inbound) throw new MalformedWebhookError(`receipt.statusPath: "${receipt!.statusPath}" found nothing in the payload (and this account maps no inbound messages)`);
  return { inbound: [mapInbound(config, source, request)], statuses: [] };
}

function mapReceipt(config: HttpConfig, source: Source, word: string): StatusUpdate {
  const receipt = config.receipt!;
  const id = required(source, 'receipt.idPath', receipt.idPath);
  if (id.length > MAX_ID_LENGTH) throw new MalformedWebhookError(`receipt.idPath: the id is longer than ${MAX_ID_LENGTH} characters`);
  const table = new Map(Object.entries(receipt.statuses).map(([carrier, ours]) => [carrier.toLowerCase(), ours]));
  const status = table.get(word.trim().toLowerCase());
  if (!status) throw new MalformedWebhookError(`receipt.statuses: the carrier's status "${word.slice(0, 100)}" is not in the table (known: ${[...table.keys()].join(', ')})`);
  const update: StatusUpdate = { providerMessageId: id, status, providerStatus: word.slice(0, 100) };
  const errorCode = optional(source, 'receipt.errorCodePath', receipt.errorCodePath);
  if (errorCode && errorCode !== '0' && errorCode !== '000') {
    update.errorCode = errorCode.slice(0, 100);
    update.errorMessage = `carrier error ${update.errorCode} (${word.slice(0, 100)})`;
  }
  return update;
}

function mapInbound(config: HttpConfig, source: Source, request: WebhookRequest): InboundMessage {
  const inbound = config.inbound!;
  const from = required(source, 'inbound.from', inbound.from);
  const to = required(source, 'inbound.to', inbound.to);
  const body = text(source, 'inbound.body', inbound.body);
  const media = mediaUrls(source, inbound.mediaUrls);
  if (body === undefined && media.length === 0) throw new MalformedWebhookError(`inbound.body: "${inbound.body}" found nothing in the payload`);
  if ((body ?? '').length > MAX_BODY_CHARS) throw new MalformedWebhookError(`inbound.body: the text is longer than ${MAX_BODY_CHARS} characters`);
  if (from.length > 40 || to.length > 40) throw new MalformedWebhookError('inbound.from / inbound.to: a phone number or sender is at most 40 characters');
  // Without a carrier id, the raw bytes identify the message: a redelivered webhook is the same message.
  const id = inbound.messageId ? required(source, 'inbound.messageId', inbound.messageId) : `sha256:${createHash('sha256').update(request.method + request.rawBody.toString('latin1') + JSON.stringify(request.method === 'GET' ? request.query : {})).digest('hex').slice(0, 40)}`;
  if (id.length > MAX_ID_LENGTH) throw new MalformedWebhookError(`inbound.messageId: the id is longer than ${MAX_ID_LENGTH} characters`);
  return { providerMessageId: id, from: phone(from), to: [phone(to)], body: body ?? '', media: media.map((url) => ({ url })), raw: source.kind === 'json' ? source.document : Object.fromEntries(source.fields) };
}
