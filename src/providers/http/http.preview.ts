/**
 * "Try it" for http-family accounts: the exact request Switchboard would send for a sample
 * message (secrets masked), and what a pasted sample webhook maps to, with errors that name the
 * field. Pure functions; the route is routes/api/v1/http-provider.routes.ts.
 */
import { CredentialsError } from '../core/credentials.js';
import { MalformedWebhookError } from '../core/errors.js';
import { basicAuth } from '../core/http.js';
import type { OutboundMessage, ParsedWebhook } from '../core/types.js';
import type { HttpConfig, HttpCredentials } from './http.config.js';
import { mapWebhook } from './http.mapping.js';
import { buildRequest, RequestBuildError, type BuiltRequest } from './http.request.js';
import { httpPresetFamily } from './presets/family.js';

export interface PreviewError {
  field: string | null;
  message: string;
}

export interface SampleInbound {
  method: 'POST' | 'GET';
  contentType?: string;
  body?: string;
  query?: Record<string, string>;
}

export type RequestPreview = { ok: true; request: BuiltRequest } | { ok: false; error: PreviewError };
export type InboundPreview = { ok: true; kind: 'inbound' | 'receipt'; result: ParsedWebhook } | { ok: false; error: PreviewError };

/** The field an error message starts with (`credentials.config.request.url: …` → `request.url`). */
function fieldOf(message: string): string | null {
  const match = /^(?:credentials\.(?:config\.)?)?([A-Za-z][\w.[\]-]*):/.exec(message);
  return match ? match[1]! : null;
}

export function isHttpFamily(type: string): boolean {
  return httpPresetFamily.has(type);
}

export function resolveConfig(type: string, credentials: Record<string, string>): { ok: true; config: HttpConfig; credentials: Partial<HttpCredentials> } | { ok: false; error: PreviewError } {
  const resolve = httpPresetFamily.get(type);
  if (!resolve) return { ok: false, error: { field: null, message: `type "${type}" is not built on the generic HTTP provider` } };
  try {
    return { ok: true, ...resolve(credentials) };
  } catch (error) {
    if (error instanceof CredentialsError) return { ok: false, error: { field: fieldOf(error.message), message: error.message } };
    throw error;
  }
}

function mask(request: BuiltRequest, credentials: Partial<HttpCredentials>): BuiltRequest {
  const secrets: Array<[string, string]> = [];
  if (credentials.username !== undefined && credentials.password) secrets.push([basicAuth(credentials.username, credentials.password).slice('Basic '.length), '«base64 username:password»']);
  for (const key of ['password', 'token', 'webhookSecret'] as const) {
    const value = credentials[key];
    if (value) secrets.push([value, `«${key}»`], [encodeURIComponent(value), `«${key}»`]);
  }
  const hide = (text: string) => secrets.reduce((out, [secret, label]) => out.split(secret).join(label), text);
  return { method: request.method, url: hide(request.url), headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, hide(v)])), body: request.body === undefined ? undefined : hide(request.body) };
}

export async function previewRequest(config: HttpConfig, credentials: Partial<HttpCredentials>, baseUrl: string | null, message: OutboundMessage): Promise<RequestPreview> {
  try {
    return { ok: true, request: mask(await buildRequest(config, credentials, baseUrl, message), credentials) };
  } catch (error) {
    if (error instanceof RequestBuildError) return { ok: false, error: { field: fieldOf(error.message), message: error.message } };
    throw error;
  }
}

export function previewInbound(config: HttpConfig, sample: SampleInbound): InboundPreview {
  const query = sample.query ?? {};
  try {
    const result = mapWebhook(config, {
      method: sample.method,
      url: `http://preview.invalid/?${new URLSearchParams(query).toString()}`,
      headers: sample.contentType ? { 'content-type': sample.contentType } : {},
      rawBody: Buffer.from(sample.body ?? '', 'utf8'),
      query,
    });
    return { ok: true, kind: result.statuses.length > 0 ? 'receipt' : 'inbound', result };
  } catch (error) {
    if (error instanceof MalformedWebhookError) return { ok: false, error: { field: fieldOf(error.message), message: error.message } };
    throw error;
  }
}
