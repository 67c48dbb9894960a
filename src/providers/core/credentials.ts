/** Credentials checked against a manifest (API accounts) or read from the environment (F6). */
import type { ProviderManifest } from './types.js';

export class CredentialsError extends Error {}

export function validateCredentials(manifest: ProviderManifest, credentials: Record<string, unknown>): Record<string, string> {
  const known = new Set(manifest.credentials.map((field) => field.key));
  for (const key of Object.keys(credentials)) {
    if (!known.has(key)) {
      throw new CredentialsError(`credentials.${key} is not a ${manifest.type} credential (expected ${[...known].join(', ') || 'none'})`);
    }
  }
  const clean: Record<string, string> = {};
  for (const field of manifest.credentials) {
    const value = credentials[field.key];
    if (value === undefined || value === null || value === '') {
      if (field.required) throw new CredentialsError(`credentials.${field.key} (${field.label}) is required for ${manifest.type}`);
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'number') throw new CredentialsError(`credentials.${field.key} must be a string`);
    const text = String(value);
    if (field.choices && !field.choices.includes(text)) {
      throw new CredentialsError(`credentials.${field.key} must be one of ${field.choices.join(', ')}, got "${text}"`);
    }
    clean[field.key] = text;
  }
  return clean;
}

/** `accountSid` → `ACCOUNT_SID` */
export function envName(prefix: string, key: string): string {
  return `${prefix}_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

export function baseUrlEnvName(manifest: ProviderManifest): string {
  return manifest.type === 'bandwidth' ? 'BANDWIDTH_MESSAGE_BASE_URL' : `${manifest.envPrefix}_BASE_URL`;
}

/**
 * Reads one account of this type from the environment, or null when none of its variables is
 * set. A partial set throws naming the first missing variable.
 */
export function credentialsFromEnv(manifest: ProviderManifest, env: Readonly<Record<string, string>>): { credentials: Record<string, string>; baseUrl: string | null } | null {
  const baseUrlVar = baseUrlEnvName(manifest);
  const values: Record<string, string> = {};
  let any = false;
  for (const field of manifest.credentials) {
    const value = env[envName(manifest.envPrefix, field.key)];
    if (value !== undefined && value !== '') {
      values[field.key] = value;
      any = true;
    }
  }
  if (!any) return null;
  for (const field of manifest.credentials) {
    if (field.required && values[field.key] === undefined) {
      throw new CredentialsError(`${envName(manifest.envPrefix, field.key)} is not set; it is required with the other ${manifest.envPrefix}_* variables`);
    }
  }
  return { credentials: validateCredentials(manifest, values), baseUrl: env[baseUrlVar] || null };
}
