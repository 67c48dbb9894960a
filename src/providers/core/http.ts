/** HTTP for adapters: timeouts, network errors and status classes mapped to ProviderError. */
import { ProviderError, type ProviderErrorKind } from './errors.js';
import type { FetchedMedia } from './types.js';

export interface ProviderResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface ProviderRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer | FormData | URLSearchParams;
  timeoutMs?: number;
}

export async function callProvider(fetchImpl: typeof fetch, provider: string, request: ProviderRequest): Promise<ProviderResponse> {
  let response: Response;
  try {
    response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body as BodyInit | undefined,
      signal: AbortSignal.timeout(request.timeoutMs ?? 15_000),
      redirect: 'follow',
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : `network error: ${(error as Error).message}`;
    throw new ProviderError(provider, 'unavailable', `${provider} API ${reason}`, { cause: error });
  }
  const text = await response.text();
  let json: any = null;
  if (text && /json/.test(response.headers.get('content-type') ?? '')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function basicAuth(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The default sorting of an HTTP failure; adapters refine it with the provider's own codes. */
export function kindForHttpStatus(status: number): ProviderErrorKind {
  if (status === 401 || status === 403) return 'auth_failed';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}

export function httpError(
  provider: string,
  response: ProviderResponse,
  details: { providerCode?: string; message?: string; kind?: ProviderErrorKind },
): ProviderError {
  const kind = details.kind ?? kindForHttpStatus(response.status);
  const message = `${provider} answered ${response.status}${details.providerCode ? ` (${details.providerCode})` : ''}: ${details.message ?? response.text.slice(0, 200)}`;
  return new ProviderError(provider, kind, message, {
    providerCode: details.providerCode,
    httpStatus: response.status,
    retryAfterMs: response.status === 429 ? retryAfterMs(response.headers) : undefined,
  });
}

/** GETs a media URL (redirects followed) and returns its bytes and type. */
export async function downloadMedia(fetchImpl: typeof fetch, provider: string, url: string, headers: Record<string, string> = {}): Promise<FetchedMedia> {
  let response: Response;
  try {
    response = await fetchImpl(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new ProviderError(provider, 'unavailable', `${provider} media download failed: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    throw new ProviderError(provider, response.status >= 500 || response.status === 429 ? 'unavailable' : 'rejected', `${provider} media download answered ${response.status} for ${url}`, {
      httpStatus: response.status,
    });
  }
  const data = Buffer.from(await response.arrayBuffer());
  const contentType = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim();
  return { contentType, data };
}

export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses an x-www-form-urlencoded body into ordered [key, value] pairs (keys may repeat). */
export function formPairs(rawBody: Buffer): Array<[string, string]> {
  return [...new URLSearchParams(rawBody.toString('utf8')).entries()];
}

/** Joins a base URL (which may carry a path prefix) and a path. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}
