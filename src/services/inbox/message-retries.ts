/**
 * Retry state of outbound messages still on their way (queued or sending), read from the send
 * job: a message stuck in retries shows its attempts, the next attempt and the last failure
 * instead of "Sending" forever.
 */
import type { Db } from '../../db/client.js';
import type { MessageTable } from '../../db/schema.js';
import { SEND_MESSAGE_JOB } from '../send-message.js';
import type { Static } from '@sinclair/typebox';
import type { MessageRetryShape } from '../../lib/api-shapes.js';

export type MessageRetry = Static<typeof MessageRetryShape>;

const IN_FLIGHT = new Set(['queued', 'sending']);

export async function retriesOf(db: Db, rows: MessageTable[]): Promise<Map<string, MessageRetry>> {
  const waiting = rows.filter((row) => row.direction === 'outbound' && IN_FLIGHT.has(row.status));
  if (waiting.length === 0) return new Map();
  // The send job's payload is exactly {"messageId": id} (see acceptMessage).
  const payloads = waiting.map((row) => JSON.stringify({ messageId: row.id }));
  const jobs = await db
    .selectFrom('jobs')
    .select(['payload', 'attempts', 'max_attempts', 'run_at', 'last_error', 'dead'])
    .where('name', '=', SEND_MESSAGE_JOB)
    .where('payload', 'in', payloads)
    .where('attempts', '>', 0)
    .execute();
  const retries = new Map<string, MessageRetry>();
  for (const job of jobs) {
    if (!job.last_error) continue;
    const { messageId } = JSON.parse(job.payload) as { messageId: string };
    retries.set(messageId, { attempts: job.attempts, maxAttempts: job.max_attempts, nextAttemptAt: job.dead ? null : job.run_at, lastError: job.last_error.slice(0, 500) });
  }
  return retries;
}
