import { randomBytes } from 'node:crypto';

/** Time-ordered, URL-safe ids (48-bit ms timestamp + 80 random bits), so ids sort by creation. */
export function newId(prefix: string): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomBytes(10).toString('hex')}`;
}
