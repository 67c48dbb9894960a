/** Talks to /api/v1 with the session cookie; writes carry the CSRF token (SPEC §3). */
import { describeApiMessage, isNetworkFailure, SERVER_UNREACHABLE } from './api-errors';
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type NetworkListener = (reachable: boolean) => void;
const networkListeners = new Set<NetworkListener>();

/** Tells the connection indicator whether the last request reached the server. */
export function onNetworkState(listener: NetworkListener): () => void {
  networkListeners.add(listener);
  return () => networkListeners.delete(listener);
}

function reportNetworkState(reachable: boolean): void {
  for (const listener of networkListeners) listener(reachable);
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${withQuery(path, options.query)}`, { method, headers, body, credentials: 'same-origin', signal: options.signal });
  } catch (error) {
    if (isNetworkFailure(error)) reportNetworkState(false);
    throw error;
  }
  reportNetworkState(true);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? `${method} ${path} answered ${response.status}`, error?.details);
  }
  return data as T;
}

/** True when the API answered 404 for a whole resource (a feature not installed on this server). */
export function isMissingApi(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404 && /^no route/i.test(error.message);
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return describeApiMessage(error.message).message;
  if (isNetworkFailure(error)) return SERVER_UNREACHABLE;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The request field an API error is about (e.g. "destinations.emails.1"), to show it next to that input. */
export function errorField(error: unknown): string | null {
  return error instanceof ApiError ? describeApiMessage(error.message).field : null;
}
