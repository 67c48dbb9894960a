/**
 * Telnyx webhooks: `telnyx-signature-ed25519` is the base64 Ed25519 signature of
 * `${telnyx-timestamp}|${raw body}`, made with Telnyx's key; the account's public key (base64 of
 * the raw 32-byte key, as Mission Control shows it) verifies it.
 * https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** DER prefix that turns a raw 32-byte Ed25519 public key into an SPKI structure Node can load. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export const TELNYX_TOLERANCE_SECONDS = 300;

export function telnyxPublicKey(base64: string): KeyObject | null {
  const raw = Buffer.from(base64.trim(), 'base64');
  if (raw.length !== 32) return null;
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function isValidTelnyxSignature(publicKey: KeyObject, timestamp: string, rawBody: Buffer, signatureBase64: string): boolean {
  const signature = Buffer.from(signatureBase64, 'base64');
  if (signature.length !== 64) return false;
  return verify(null, Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), rawBody]), publicKey, signature);
}

/** Signs like Telnyx does (for the emulator and tests). */
export function telnyxSignature(privateKey: KeyObject, timestamp: string, body: string): string {
  return sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), privateKey).toString('base64');
}
