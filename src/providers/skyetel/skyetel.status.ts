import type { ProviderErrorKind } from '../core/errors.js';

/**
 * Skyetel's SMS API has no delivery receipts (docs; no integration handles one): 2xx = `sent`, final.
 * Its error answers are undocumented, so HTTP statuses are sorted here; see skyetelFailureKind.
 */
export const SKYETEL_HTTP_KIND: Readonly<Record<number, ProviderErrorKind>> = {
  400: 'rejected',
  401: 'auth_failed',
  402: 'insufficient_funds',
  404: 'rejected',
  422: 'invalid_number',
  429: 'rate_limited',
};

/** Over 300 sends in 5 minutes Skyetel answers 403 and blocks for 5 minutes (unconfirmed). */
export const SKYETEL_THROTTLE_MS = 5 * 60_000;

/** A 403 is the send-rate block when its text says so; otherwise a permission/auth refusal. */
export function skyetelFailureKind(status: number, text: string): ProviderErrorKind | undefined {
  if (status === 403) return /limit|too many|throttl|exceed/i.test(text) ? 'rate_limited' : 'auth_failed';
  return SKYETEL_HTTP_KIND[status];
}
