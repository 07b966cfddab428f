import { describe, expect, it } from 'vitest';
import { exactTime, relativeTime } from './time';

describe('relativeTime', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  it('says recent moments in words people read at a glance', () => {
    expect(relativeTime('2026-12-07T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2026-12-07T11:57:00Z', now)).toBe('3 minutes ago');
    expect(relativeTime('2026-12-06T12:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('2026-12-14T12:00:00Z', now)).toBe('next week');
  });
  it('keeps a value that is no date as it is', () => {
    expect(relativeTime('soon', now)).toBe('soon');
    expect(exactTime('soon')).toBe('soon');
  });
});
