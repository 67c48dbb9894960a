/** Issue 12: thread day separators say Today, Yesterday, a weekday, or a date, in the viewer's own time zone. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayKey, dayLabel, startsNewDay } from '../../web/src/lib/days.js';

describe('day separators', () => {
  const original = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = 'America/Los_Angeles';
  });
  afterAll(() => {
    process.env.TZ = original;
  });

  // Friday 2026-03-13, 10:00 in Los Angeles (17:00 UTC).
  const now = new Date('2026-03-13T17:00:00Z');

  it('labels today, yesterday, this week by weekday, and older days by date (with the year only when it differs)', () => {
    expect(dayLabel('2026-03-13T15:00:00Z', now, 'en-US')).toBe('Today');
    expect(dayLabel('2026-03-12T20:00:00Z', now, 'en-US')).toBe('Yesterday');
    expect(dayLabel('2026-03-10T20:00:00Z', now, 'en-US')).toBe('Tuesday');
    expect(dayLabel('2026-03-06T20:00:00Z', now, 'en-US')).toBe('Fri, March 6');
    expect(dayLabel('2025-12-24T20:00:00Z', now, 'en-US')).toBe('Wed, December 24, 2025');
  });

  it('uses the local calendar day, not the UTC one', () => {
    // 03:00 UTC on the 13th is still the evening of the 12th in Los Angeles (UTC-7 in March).
    expect(dayLabel('2026-03-13T03:00:00Z', now, 'en-US')).toBe('Yesterday');
    expect(dayKey('2026-03-13T03:00:00Z')).toBe('2026-3-12');
    expect(startsNewDay('2026-03-13T06:59:00Z', '2026-03-13T03:00:00Z')).toBe(false);
    expect(startsNewDay('2026-03-13T07:01:00Z', '2026-03-13T06:59:00Z')).toBe(true);
  });

  it('counts calendar days across a daylight-saving change (8 March 2026 is 23 hours long there)', () => {
    const monday = new Date('2026-03-09T16:00:00Z');
    expect(dayLabel('2026-03-08T09:30:00Z', monday, 'en-US')).toBe('Yesterday');
    expect(dayLabel('2026-03-07T20:00:00Z', monday, 'en-US')).toBe('Saturday');
  });

  it('puts a separator before the first message shown', () => {
    expect(startsNewDay('2026-03-13T15:00:00Z', null)).toBe(true);
  });
});
