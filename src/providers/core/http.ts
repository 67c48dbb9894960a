/** HTTP for adapters: timeouts, network errors and status classes mapped to ProviderError. */
import { PrivateAddressError, type BufferedResponse, type GuardedFetch } from '../../lib/net-guard.js';
import { ProviderError, type ProviderErrorKind } from './errors.js';
import type { FetchedMedia } from './types.js';
import { withTimeout } from '../../lib/timeout.js';
import { readCapped } from '../../lib/read-capped.js';

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

export function callProvider(fetchImpl: typeof fetch, provider: string, request: ProviderRequest): Promise<ProviderResponse> {
  return withTimeout(request.timeoutMs ?? 15_000, (signal) => exchange(fetchImpl, provider, request, signal));
}

async function exchange(fetchImpl: GuardedFetch, provider: string, request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
  let response: BufferedResponse;
  try {
    const body = request.body;
    response =
      fetchImpl.exchange && (body === undefined || typeof body === 'string' || Buffer.isBuffer(body))
        ? await fetchImpl.exchange(request.url, { method: request.method, headers: request.headers, body, signal })
        : await viaFetch(fetchImpl, request, signal);
  } catch (error) {
    if (error instanceof PrivateAddressError) throw new ProviderError(provider, 'rejected', `${provider} API base URL refused: ${error.message}`, { providerCode: 'private_address', cause: error });
    if (wasNeverSent(error)) {
      throw new ProviderError(provider, 'unavailable', `${provider} API unreachable: ${describeNetworkError(error)}`, { cause: error });
    }
    throw new ProviderError(provider, 'outcome_unknown', `${provider} API gave no answer after the request was sent (${describeNetworkError(error)}); it may have accepted the message`, { cause: error });
  }
  const { text } = response;
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

async function viaFetch(fetchImpl: typeof fetch, request: ProviderRequest, signal: AbortSignal): Promise<BufferedResponse> {
  const response = await fetchImpl(request.url, { method: request.method, headers: request.headers, body: request.body as BodyInit | undefined, signal, redirect: 'follow' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Connection-phase failures: the request never left, so sending again cannot duplicate anything. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN']);

function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string; cause?: { code?: string } } })?.cause;
  return (error as { code?: string })?.code ?? cause?.code ?? cause?.cause?.code;
}

function wasNeverSent(error: unknown): boolean {
  if ((error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError') return false;
  const code = errorCode(error);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

function describeNetworkError(error: unknown): string {
  if ((error as Error)?.name === 'TimeoutError') return 'timed out';
  const code = errorCode(error);
  return code ? `${code}` : (error as Error)?.message ?? String(error);
}

export function basicAuth(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

/** A provider's Retry-After beyond this is not a throttle but an outage: the send fails with the reason. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Retry-After in milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) {
    const seconds = Number(value);
    return Number.isFinite(seconds) ? seconds * 1000 : undefined;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The provider's own error message from a JSON answer; never the raw body, which may be an
 * internal service's page when a base URL points somewhere it should not.
 */
function errorText(response: ProviderResponse): string {
  const candidates = [response.json, response.json?.error, response.json?.errors?.[0], response.json?.data];
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim()) return candidate.slice(0, 200);
    if (!candidate || typeof candidate !== 'object') continue;
    for (const key of ['message', 'error_message', 'detail', 'description', 'title', 'error', 'response_msg', 'error_text']) {
      const value = (candidate as Record<string, unknown>)[key];
      if (typeof value === 'string' && value.trim()) return value.slice(0, 200);
    }
  }
  return `no error message (${response.headers.get('content-type')?.split(';')[0] ?? 'no content type'}, ${response.text.length} bytes)`;
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
  let kind = details.kind ?? kindForHttpStatus(response.status);
  const retryAfter = response.status === 429 || response.status === 503 ? retryAfterMs(response.headers) : undefined;
  let message = `${provider} answered ${response.status}${details.providerCode ? ` (${details.providerCode})` : ''}: ${details.message ?? errorText(response)}`;
  if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_MS && (kind === 'rate_limited' || kind === 'unavailable')) {
    kind = 'rejected';
    message += ` — asked to retry after ${Math.round(retryAfter / 1000)} s, more than an hour; not retried`;
  }
  return new ProviderError(provider, kind, message, {
    providerCode: details.providerCode,
    httpStatus: response.status,
    retryAfterMs: retryAfter !== undefined && retryAfter <= MAX_RETRY_AFTER_MS ? retryAfter : undefined,
  });
}

/** Largest inbound media file we download; a bigger one is refused without reading it all. */
export const MAX_MEDIA_DOWNLOAD_BYTES = 10 * 1024 * 1024;

/** GETs a media URL (redirects followed, each hop through the caller's guarded fetch) and returns its bytes and type. */
export function downloadMedia(fetchImpl: typeof fetch, provider: string, url: string, headers: Record<string, string> = {}): Promise<FetchedMedia> {
  return withTimeout(15_000, (signal) => download(fetchImpl, provider, url, headers, signal));
}

async function download(fetchImpl: typeof fetch, provider: string, url: string, headers: Record<string, string>, signal: AbortSignal): Promise<FetchedMedia> {
  let response: Response;
  try {
    response = await fetchImpl(url, { headers, redirect: 'follow', signal });
  } catch (error) {
    if (error instanceof PrivateAddressError) throw new ProviderError(provider, 'rejected', `${provider} media URL refused: ${error.message}`, { providerCode: 'private_address', cause: error });
    throw new ProviderError(provider, 'unavailable', `${provider} media download failed: ${describeNetworkError(error)}`, { cause: error });
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_MEDIA_DOWNLOAD_BYTES) {
    await response.body?.cancel();
    throw new ProviderError(provider, 'rejected', `${provider} media at ${url} is ${declared} bytes, more than ${MAX_MEDIA_DOWNLOAD_BYTES}`);
  }
  if (!response.ok) {
    throw new ProviderError(provider, response.status >= 500 || response.status === 429 ? 'unavailable' : 'rejected', `${provider} media download answered ${response.status} for ${url}`, {
      httpStatus: response.status,
    });
  }
  const body = response.body;
  const data = body
    ? await readCapped(body as unknown as AsyncIterable<Uint8Array>, MAX_MEDIA_DOWNLOAD_BYTES, () => body.cancel(), () => new ProviderError(provider, 'rejected', `${provider} media at ${url} is larger than ${MAX_MEDIA_DOWNLOAD_BYTES} bytes`))
    : Buffer.alloc(0);
  const contentType = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim();
  return { contentType, data };
}

export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const parsedForms = new WeakMap<Buffer, ReadonlyArray<[string, string]>>();

/**
 * Parses an x-www-form-urlencoded body into ordered [key, value] pairs (keys may repeat). A
 * webhook's body is read by its signature check and again by its parser: parsed once per body.
 */
export function formPairs(rawBody: Buffer): ReadonlyArray<[string, string]> {
  let pairs = parsedForms.get(rawBody);
  if (!pairs) {
    pairs = Object.freeze([...new URLSearchParams(rawBody.toString('utf8')).entries()]);
    parsedForms.set(rawBody, pairs);
  }
  return pairs;
}

/** Joins a base URL (which may carry a path prefix) and a path. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}
