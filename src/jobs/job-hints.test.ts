import { describe, expect, it } from 'vitest';
import { JobHints } from './job-hints.js';

describe('job hints', () => {
  it('picks within each type’s room and each tenant’s room, one tenant at a time, skipping what was forgotten', () => {
    const hints = new JobHints(100, 1000);
    for (let id = 1; id <= 6; id += 1) hints.add(id, 'send', 'busy');
    hints.add(7, 'send', 'quiet');
    hints.add(8, 'email', '');
    hints.forget(2);
    const picked = hints.pick(10, (name) => (name === 'send' ? 4 : 1), () => 2);
    // busy gets its room of 2 (1 and 3; 2 was forgotten), quiet its one job, email its one slot.
    expect(picked).toEqual([1, 7, 3, 8]);
    hints.claimed(picked);
    expect(hints.size).toBe(3);
    expect(hints.pick(10, () => 10, () => 10)).toEqual([4, 5, 6]);
  });

  it('keeps an id whose job was not there yet at the front, until the TTL after its first miss', () => {
    const hints = new JobHints(100, 1000);
    hints.add(1, 'send', 't');
    hints.add(2, 'send', 't');
    expect(hints.pick(1, () => 10, () => 10)).toEqual([1]);
    hints.missed([1], 0);
    expect(hints.pick(1, () => 10, () => 10)).toEqual([1]);
    hints.missed([1], 1500);
    expect(hints.has(1)).toBe(false);
    expect(hints.pick(5, () => 10, () => 10)).toEqual([2]);
  });

  it('refuses hints beyond its size, so the table scan finds those jobs', () => {
    const hints = new JobHints(2, 1000);
    expect(hints.add(1, 'a', '')).toBe(true);
    expect(hints.add(2, 'a', '')).toBe(true);
    expect(hints.add(3, 'a', '')).toBe(false);
  });
});
