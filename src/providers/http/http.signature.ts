/**
 * Webhook authenticity for the generic HTTP provider. The URL's secret token is always checked
 * (also by services/ingest-webhook.ts, since the manifest says webhooks are unsigned); an account
 * may add a shared-secret header or an HMAC-SHA256 of the raw body. Comparisons are constant-time.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';
import { WebhookAuthError } from '../core/errors.js';
import { header } from '../core/http.js';
import type { WebhookRequest } from '../core/types.js';
import type { HttpConfig } from './http.config.js';

export const DEFAULT_SECRET_HEADER = 'X-Webhook-Secret';
export const DEFAULT_SIGNATURE_HEADER = 'X-Signature';

export function hmacSignature(secret: string, rawBody: Buffer | string, encoding: 'hex' | 'base64' = 'hex', prefix = ''): string {
  return prefix + createHmac('sha256', secret).update(rawBody).digest(encoding);
}

export function verifyHttpWebhook(config: HttpConfig, secrets: { expectedToken: string | null; webhookSecret?: string }, request: WebhookRequest): void {
  const token = request.query.token;
  if (!token) throw new WebhookAuthError('missing_signature', 'the webhook URL has no token; give the carrier the URL shown for this account');
  if (!secrets.expectedToken || !safeEqual(token, secrets.expectedToken)) throw new WebhookAuthError('bad_signature', 'the webhook URL token is wrong');
  const auth = config.webhookAuth ?? { type: 'token' as const };
  if (auth.type === 'token') return;
  const secret = secrets.webhookSecret;
  if (!secret) throw new WebhookAuthError('bad_signature', 'this account has no webhookSecret to check the webhook with');
  const name = auth.header ?? (auth.type === 'header' ? DEFAULT_SECRET_HEADER : DEFAULT_SIGNATURE_HEADER);
  const given = header(request.headers, name)?.trim();
  if (!given) throw new WebhookAuthError('missing_signature', `the ${name} header is missing`);
  const expected = auth.type === 'header' ? secret : hmacSignature(secret, request.rawBody, auth.encoding ?? 'hex', auth.prefix ?? '');
  // hex digests may come in either case
  const matches = auth.type === 'hmac' && (auth.encoding ?? 'hex') === 'hex' ? safeEqual(given.toLowerCase(), expected.toLowerCase()) : safeEqual(given, expected);
  if (!matches) throw new WebhookAuthError('bad_signature', `the ${name} header does not match`);
}
