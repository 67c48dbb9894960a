/** The outbound request built from an http account's template, and the carrier's answer read back. */
import { ProviderError, type ProviderErrorKind } from '../core/errors.js';
import { basicAuth, httpError, joinUrl, type ProviderResponse } from '../core/http.js';
import type { OutboundMessage, SendResult } from '../core/types.js';
import type { HttpConfig, HttpCredentials } from './http.config.js';
import { asText, lookupJson } from './http.path.js';
import { renderJson, renderText, TemplateError, type TemplateScope } from './http.template.js';

export interface BuiltRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body as sent (JSON text or a form query string); undefined for none. */
  body?: string;
}

export class RequestBuildError extends Error {}

export const DEFAULT_RETRY_STATUSES: readonly number[] = [408, 425, 429, 500, 502, 503, 504];
const MAX_BODY_BYTES = 64 * 1024;

export function templateScope(message: OutboundMessage, credentials: Partial<HttpCredentials>): TemplateScope {
  return {
    from: message.from,
    to: message.to[0] ?? '',
    body: message.body,
    media_urls: message.mediaUrls,
    message_id: message.id,
    status_callback_url: message.statusCallbackUrl,
    username: credentials.username ?? '',
    password: credentials.password ?? '',
    token: credentials.token ?? '',
  };
}

async function at<T>(field: string, render: () => Promise<T>): Promise<T> {
  try {
    return await render();
  } catch (error) {
    if (error instanceof TemplateError) throw new RequestBuildError(`${field}: ${error.message}`);
    throw error;
  }
}

/** Renders the request for one message. Throws RequestBuildError naming the template at fault. */
export async function buildRequest(config: HttpConfig, credentials: Partial<HttpCredentials>, baseUrl: string | null, message: OutboundMessage): Promise<BuiltRequest> {
  const { request } = config;
  const scope = templateScope(message, credentials);
  let url = (await at('request.url', () => renderText(request.url, scope, { url: true }))).trim();
  if (url.startsWith('/')) {
    if (!baseUrl) throw new RequestBuildError(`request.url "${url}" is a path; set the account's base URL or write a full URL`);
    url = joinUrl(baseUrl, url);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RequestBuildError(`request.url rendered to "${url.slice(0, 200)}", which is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new RequestBuildError(`request.url must be http(s), got "${parsed.protocol}"`);
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(request.headers ?? {})) {
    const value = await at(`request.headers.${name}`, () => renderText(template, scope));
    if (/[\r\n\0]/.test(value)) throw new RequestBuildError(`request.headers.${name} rendered a line break or NUL, which a header cannot hold`);
    headers[name.toLowerCase()] = value;
  }
  const auth = request.auth ?? { type: 'none' as const };
  if (auth.type === 'basic') headers.authorization = basicAuth(credentials.username ?? '', credentials.password ?? '');
  if (auth.type === 'bearer') headers.authorization = `Bearer ${credentials.token ?? ''}`;
  if (auth.type === 'header') headers[auth.name!.toLowerCase()] = credentials.token ?? '';
  if (auth.type === 'query') parsed.searchParams.set(auth.name!, credentials.token ?? '');
  const format = request.bodyFormat ?? (request.method === 'GET' ? 'none' : 'json');
  let body: string | undefined;
  if (format === 'json') {
    body = JSON.stringify(await at('request.body', () => renderJson(request.body, scope)));
    headers['content-type'] ??= 'application/json';
  } else if (format === 'form') {
    const form = new URLSearchParams();
    for (const [name, template] of Object.entries(request.body as Record<string, string>)) {
      const value = await at(`request.body.${name}`, () => renderJson(template, scope));
      if (Array.isArray(value)) value.forEach((item) => form.append(name, String(item)));
      else form.append(name, value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    body = form.toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  if (body !== undefined && Buffer.byteLength(body) > MAX_BODY_BYTES) throw new RequestBuildError(`request.body rendered ${Buffer.byteLength(body)} bytes; the limit is ${MAX_BODY_BYTES}`);
  headers.accept ??= 'application/json';
  return { method: request.method, url: parsed.toString(), headers, body };
}

function bodyJson(response: ProviderResponse): unknown {
  if (response.json !== null) return response.json;
  try {
    return response.text ? JSON.parse(response.text) : null;
  } catch {
    return null;
  }
}

const MAX_PROVIDER_ID_LENGTH = 200;

/** Reads the carrier's answer: a SendResult on success, otherwise a ProviderError of the right kind. */
export function interpretResponse(provider: string, config: HttpConfig, response: ProviderResponse, message: OutboundMessage): SendResult {
  const rules = config.response ?? {};
  const json = bodyJson(response);
  const okStatus = rules.successStatuses ? rules.successStatuses.includes(response.status) : response.status >= 200 && response.status < 300;
  const okBody = rules.successPath === undefined || asText(lookupJson(json, rules.successPath)) === rules.successValue;
  const code = rules.errorCodePath ? asText(lookupJson(json, rules.errorCodePath)) : undefined;
  if (okStatus && okBody) {
    // No id path: the carrier returns none, and receipts (if any) carry our id from {{ message_id }}.
    if (!rules.messageIdPath) return { providerMessageId: message.id, status: config.receipt ? undefined : 'sent', raw: json ?? response.text.slice(0, 2000) };
    const id = asText(lookupJson(json, rules.messageIdPath));
    if (!id || id.length > MAX_PROVIDER_ID_LENGTH) {
      // The carrier said yes, so sending again could deliver twice.
      throw new ProviderError(provider, 'outcome_unknown', `${provider} accepted the message (HTTP ${response.status}) but response.messageIdPath "${rules.messageIdPath}" ${id ? 'is too long' : 'found nothing'} in its answer: ${response.text.slice(0, 200)}`, { httpStatus: response.status });
    }
    return { providerMessageId: id, status: config.receipt ? undefined : 'sent', raw: json };
  }
  const message_ = rules.errorMessagePath ? asText(lookupJson(json, rules.errorMessagePath)) : undefined;
  const retryStatuses = rules.retryStatuses ?? DEFAULT_RETRY_STATUSES;
  let kind: ProviderErrorKind;
  if (response.status === 401 || response.status === 403) kind = 'auth_failed';
  else if (code !== undefined && rules.retryValues?.includes(code)) kind = response.status === 429 ? 'rate_limited' : 'unavailable';
  else if (retryStatuses.includes(response.status)) kind = response.status === 429 ? 'rate_limited' : 'unavailable';
  else kind = 'rejected';
  const reason = okStatus ? `${rules.successPath} is not "${rules.successValue}"${message_ ? `: ${message_}` : ''}` : message_;
  return throwError(httpError(provider, response, { providerCode: code, message: reason, kind }));
}

function throwError(error: ProviderError): never {
  throw error;
}
