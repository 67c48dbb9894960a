/**
 * Vonage's two webhook-signing schemes and the application JWT for the Messages API.
 * - SMS API `sig` parameter: https://developer.vonage.com/en/getting-started/concepts/signing-messages
 *   (algorithm as in @vonage/sms `verifySignature`).
 * - Messages API: `Authorization: Bearer <JWT HS256 over the signature secret>` whose
 *   `payload_hash` is the SHA-256 hex of the raw body:
 *   https://developer.vonage.com/en/getting-started/concepts/webhooks#signed-webhooks
 * - Outbound Messages calls: JWT RS256 with the application's private key (claims as in @vonage/jwt).
 */
import { createHash, createHmac, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import { safeEqual } from '../../lib/crypto.js';

export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

const HEX_LENGTH: Record<VonageSignatureMethod, number> = { md5hash: 32, md5: 32, sha1: 40, sha256: 64, sha512: 128 };

/** Sorted `&key=value` pairs (minus `sig`), `&` and `=` inside values replaced by `_`. */
function signedQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((key) => key !== 'sig')
    .sort()
    .map((key) => `&${key}=${params[key]!.replace(/[&=]/g, '_')}`)
    .join('');
}

export function vonageSmsSignature(params: Record<string, string>, secret: string, method: VonageSignatureMethod): string {
  const query = signedQuery(params);
  if (method === 'md5hash') return createHash('md5').update(query + secret).digest('hex');
  return createHmac(method, secret).update(query).digest('hex');
}

/**
 * Checks `sig` with the account's configured method or, when none is configured, with the
 * methods whose digest length matches (md5hash and HMAC-MD5 share one; both need the secret).
 */
export function isValidVonageSmsSignature(params: Record<string, string>, secret: string, sig: string, method?: VonageSignatureMethod): boolean {
  const methods = method ? [method] : VONAGE_SIGNATURE_METHODS.filter((m) => HEX_LENGTH[m] === sig.length);
  return methods.some((m) => safeEqual(vonageSmsSignature(params, secret, m), sig.toLowerCase()));
}

export function sha256Hex(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

export function signJwt(claims: Record<string, unknown>, key: string, alg: 'HS256' | 'RS256'): string {
  const input = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = alg === 'HS256' ? createHmac('sha256', key).update(input).digest() : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

/** The Bearer token for Messages API calls (@vonage/jwt: jti, iat, exp = iat + 900, application_id). */
export function applicationJwt(applicationId: string, privateKey: string, nowSeconds: number, ttlSeconds = 900): string {
  return signJwt({ application_id: applicationId, iat: nowSeconds, jti: randomUUID(), exp: nowSeconds + ttlSeconds }, privateKey, 'RS256');
}

function decodeJwt(token: string): { alg: unknown; claims: Record<string, unknown>; input: string; signature: Buffer } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const head = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return null;
    return { alg: head?.alg, claims, input: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return null;
  }
}

/** Returns the claims of an HS256 token signed with `secret`, or null (other algorithms refused). */
export function verifyHs256(token: string, secret: string): Record<string, unknown> | null {
  const decoded = decodeJwt(token);
  if (!decoded || decoded.alg !== 'HS256') return null;
  const expected = createHmac('sha256', secret).update(decoded.input).digest('base64url');
  return safeEqual(expected, decoded.signature.toString('base64url')) ? decoded.claims : null;
}

/** Returns the claims of an RS256 token whose key pair contains `privateKey` (used by the emulator). */
export function verifyRs256(token: string, privateKey: string): Record<string, unknown> | null {
  const decoded = decodeJwt(token);
  if (!decoded || decoded.alg !== 'RS256') return null;
  const ok = verify('sha256', Buffer.from(decoded.input), createPublicKey(privateKey), decoded.signature);
  return ok ? decoded.claims : null;
}
