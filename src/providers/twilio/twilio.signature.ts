/**
 * X-Twilio-Signature: base64 HMAC-SHA1 keyed with the Auth Token over the full URL followed by
 * every POST parameter as key+value, sorted by key (repeated keys: distinct values, sorted).
 * https://www.twilio.com/docs/usage/security#validating-requests
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';

const byKeyThenValue = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

export function twilioSignature(authToken: string, url: string, params: ReadonlyArray<[string, string]>): string {
  let data = url;
  let previous: [string, string] | undefined;
  for (const pair of [...params].sort(byKeyThenValue)) {
    if (previous && byKeyThenValue(previous, pair) === 0) continue;
    data += pair[0] + pair[1];
    previous = pair;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Twilio is inconsistent about default ports, so the SDK accepts the URL with and without them. */
function otherUrlVariants(url: string): string[] {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  const rest = parsed.pathname + parsed.search;
  const origin = `${parsed.protocol}//${parsed.hostname}`;
  return [origin + rest, `${origin}:${parsed.port || defaultPort}${rest}`].filter((variant) => variant !== url);
}

export function isValidTwilioSignature(authToken: string, url: string, params: ReadonlyArray<[string, string]>, signature: string): boolean {
  if (safeEqual(twilioSignature(authToken, url, params), signature)) return true;
  return otherUrlVariants(url).some((candidate) => safeEqual(twilioSignature(authToken, candidate, params), signature));
}
