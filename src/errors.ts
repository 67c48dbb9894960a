/**
 * One application error with a stable snake_case code (SPEC §3 error shape) and one
 * code → HTTP status table. Routes throw AppError; the error handler in app.ts renders it.
 */
const STATUS_BY_CODE = {
  validation_error: 400,
  invalid_json: 400,
  invalid_number: 400,
  invalid_media: 400,
  body_too_long: 400,
  group_mms_unsupported: 400,
  destination_unsupported: 400,
  mms_unsupported: 400,
  too_many_media: 400,
  media_too_large: 413,
  unsupported_media: 415,
  payload_too_large: 413,
  unauthorized: 401,
  invalid_credentials: 401,
  invalid_signature: 403,
  stale_signature: 403,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  unknown_account: 404,
  unknown_number: 404,
  conflict: 409,
  opted_out: 409,
  idempotency_conflict: 409,
  rate_limited: 429,
  provider_error: 502,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode | (string & {}),
    message: string,
    options: { statusCode?: number; cause?: unknown; details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.statusCode = options.statusCode ?? (STATUS_BY_CODE as Record<string, number>)[code] ?? 400;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
  readonly details: unknown;
  /** Response headers that go with the error (e.g. Retry-After on 429). */
  readonly headers: Record<string, string>;
}

export const notFound = (what: string, id: string) => new AppError('not_found', `${what} ${id} was not found`);
export const forbidden = (code: string, message: string) => new AppError(code, message, { statusCode: 403 });
