import { describe, expect, it } from 'vitest';
import { withTimeout } from './timeout.js';

describe('withTimeout', () => {
  it('aborts work that outlives the timeout with a TimeoutError', async () => {
    const started = Date.now();
    const outcome = withTimeout(50, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    await expect(outcome).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('answers with the work and leaves its signal unaborted once settled', async () => {
    let seen: AbortSignal | undefined;
    expect(await withTimeout(30, async (signal) => ((seen = signal), 'done'))).toBe('done');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(seen?.aborted).toBe(false);
  });
});
