/**
 * Sinch callback HMAC, as in @sinch/sdk-client `validateWebhookSignature`: base64
 * HMAC-SHA256(secret, `${rawBody}.${nonce}.${timestamp}`) in `x-sinch-webhook-signature`, with
 * `x-sinch-webhook-signature-nonce` and `-timestamp` (Unix seconds). The .NET SDK also reads
 * `x-sinch-webhook-signature-algorithm` (HmacSHA256 | HmacSHA512); absent means SHA-256.
 * https://developers.sinch.com/docs/sms/api-reference/ (Webhooks)
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';

export const SINCH_ALGORITHMS: Readonly<Record<string, 'sha256' | 'sha512'>> = { HmacSHA256: 'sha256', HmacSHA512: 'sha512' };

export function sinchSignature(secret: string, rawBody: string | Buffer, nonce: string, timestamp: string, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return createHmac(algorithm, secret).update(rawBody).update(`.${nonce}.${timestamp}`).digest('base64');
}

export function isValidSinchSignature(secret: string, rawBody: Buffer, nonce: string, timestamp: string, signature: string, algorithm: 'sha256' | 'sha512' = 'sha256'): boolean {
  return safeEqual(sinchSignature(secret, rawBody, nonce, timestamp, algorithm), signature);
}
