import { describe, expect, it } from 'vitest';
import { expiresAtOf, expiresSoon, expiryProblem, hasExpired, isSelectableDay } from './expiry';

// A fixed moment, in the test's own time zone.
const now = new Date(2026, 11, 7, 10, 30, 0);

describe('expiry', () => {
  it('turns a span into a moment that many days ahead, in UTC without fractions', () => {
    expect(expiresAtOf('30', '', now)).toBe(new Date(now.getTime() + 30 * 86_400_000).toISOString().replace('.000Z', 'Z'));
    expect(expiresAtOf('365', '', now)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(expiresAtOf('never', '2027-01-01', now)).toBeNull();
  });

  it('takes a chosen day up to its end, local time', () => {
    expect(expiresAtOf('date', '2027-01-31', now)).toBe(new Date(2027, 0, 31, 23, 59, 59).toISOString().replace('.000Z', 'Z'));
  });

  it('accepts days from tomorrow to a year ahead only', () => {
    expect(expiryProblem('date', '', now)).toBe('Choose the day the key stops working.');
    expect(expiryProblem('date', '2027-02-30', now)).toBe('Enter a day as YYYY/MM/DD.');
    expect(expiryProblem('date', '2026-12-07', now)).toBe('Choose a day from tomorrow on.');
    expect(expiryProblem('date', '2026-12-08', now)).toBeNull();
    expect(expiryProblem('date', '2027-12-07', now)).toBeNull();
    expect(expiryProblem('date', '2027-12-08', now)).toBe('Choose a day at most a year ahead.');
    expect(expiryProblem('90', '', now)).toBeNull();
    expect(isSelectableDay(new Date(2026, 11, 7), now)).toBe(false);
    expect(isSelectableDay(new Date(2026, 11, 8), now)).toBe(true);
  });

  it('points out a key that stops within a week', () => {
    const at = Date.parse('2026-12-07T10:00:00Z');
    expect(expiresSoon('2026-12-14T10:00:00Z', at)).toBe(true);
    expect(expiresSoon('2026-12-14T10:00:01Z', at)).toBe(false);
    expect(expiresSoon('2026-12-07T09:00:00Z', at)).toBe(false);
    expect(expiresSoon(null, at)).toBe(false);
  });

  it('tells an expired key', () => {
    expect(hasExpired(null)).toBe(false);
    expect(hasExpired('2026-12-07T10:00:00Z', Date.parse('2026-12-07T10:00:01Z'))).toBe(true);
    expect(hasExpired('2026-12-07T10:00:00Z', Date.parse('2026-12-07T09:59:59Z'))).toBe(false);
  });
});
