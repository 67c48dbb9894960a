/**
 * X-Twilio-Signature: base64 HMAC-SHA1 keyed with the Auth Token over the full URL followed by
 * every POST parameter as key+value, sorted by key (repeated keys: values sorted).
 * https://www.twilio.com/docs/usage/security#validating-requests
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';

export function twilioSignature(authToken: string, url: string, params: Array<[string, string]>): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of params) byKey.set(key, [...(byKey.get(key) ?? []), value]);
  let data = url;
  for (const key of [...byKey.keys()].sort()) {
    for (const value of [...new Set(byKey.get(key))].sort()) data += key + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** Twilio is inconsistent about default ports, so the SDK accepts the URL with and without them. */
function urlVariants(url: string): string[] {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  const rest = parsed.pathname + parsed.search;
  const origin = `${parsed.protocol}//${parsed.hostname}`;
  return [...new Set([url, origin + rest, `${origin}:${parsed.port || defaultPort}${rest}`])];
}

export function isValidTwilioSignature(authToken: string, url: string, params: Array<[string, string]>, signature: string): boolean {
  return urlVariants(url).some((candidate) => safeEqual(twilioSignature(authToken, candidate, params), signature));
}
