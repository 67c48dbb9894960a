/**
 * Plivo's V3 webhook signature, as the official SDK computes it (plivo-node lib/utils/v3Security.js):
 * base64 HMAC-SHA256 keyed with the Auth Token over
 *   scheme://host[:port]/path + "?" + sorted query (k=v&k=v) + ["." if query and POST params]
 *   + POST params sorted by key as key+value + "." + nonce
 * (the "?" is left out when there is neither a query nor POST params).
 * https://www.plivo.com/docs/voice/xml/request/validation
 *
 * The older V2 header signs only URL + nonce, so a V2 pair lifted from one request would
 * authenticate any body; we accept V3 only.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';

function groupSorted(pairs: ReadonlyArray<[string, string]>): Array<[string, string[]]> {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of pairs) byKey.set(key, [...(byKey.get(key) ?? []), value]);
  return [...byKey.keys()].sort().map((key) => [key, byKey.get(key)!.sort()]);
}

/** The exact string Plivo signs (before "." + nonce). */
export function plivoSignedString(method: string, url: string, postParams: ReadonlyArray<[string, string]>): string {
  const parsed = new URL(url);
  const base = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  const query = groupSorted([...parsed.searchParams.entries()])
    .flatMap(([key, values]) => values.map((value) => `${key}=${value}`))
    .join('&');
  if (method.toUpperCase() === 'GET') return query ? `${base}?${query}` : base;
  const params = groupSorted(postParams)
    .flatMap(([key, values]) => values.map((value) => key + value))
    .join('');
  if (!query && !params) return base;
  return `${base}?${query}${query && params ? '.' : ''}${params}`;
}

export function plivoSignatureV3(authToken: string, method: string, url: string, postParams: ReadonlyArray<[string, string]>, nonce: string): string {
  return createHmac('sha256', authToken).update(`${plivoSignedString(method, url, postParams)}.${nonce}`, 'utf8').digest('base64');
}

/** A header may carry several comma-separated signatures; any one matching is enough. */
export function isValidPlivoSignatureV3(authToken: string, method: string, url: string, postParams: ReadonlyArray<[string, string]>, nonce: string, header: string): boolean {
  const expected = plivoSignatureV3(authToken, method, url, postParams, nonce);
  return header.split(',').some((candidate) => safeEqual(candidate.trim(), expected));
}
