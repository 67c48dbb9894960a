import { randomFillSync } from 'node:crypto';

/** Random bytes drawn in blocks: one system call per 409 ids instead of one per id. */
const POOL_SIZE = 4096;
const ID_RANDOM_BYTES = 10;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

/** Time-ordered, URL-safe ids (48-bit ms timestamp + 80 random bits), so ids sort by creation. */
export function newId(prefix: string): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomHex(ID_RANDOM_BYTES)}`;
}
