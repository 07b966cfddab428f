import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { endProblem, expiresAtOf, hoursFromNow, inputOf, inputOfStored, isSelectableDay, momentOf, sameEnd, selfAssignLimitOf } from './end';
import { endSentence, endWords, MemberEnd } from './MemberEnd';

const now = new Date(2026, 11, 7, 12, 0, 30);

describe('a membership end in the form', () => {
  it('defaults to a moment hours ahead, to the minute and never later than asked', () => {
    const end = hoursFromNow(8, now);
    expect(end.getTime()).toBe(new Date(2026, 11, 7, 20, 0, 0).getTime());
    expect(end.getTime()).toBeLessThanOrEqual(now.getTime() + 8 * 3600_000);
    expect(inputOf(end)).toEqual({ ends: true, date: '2026-12-07', time: '20:00' });
  });

  it('reads a day and a time in the local time zone and sends the moment in UTC', () => {
    const input = { ends: true, date: '2026-12-09', time: '14:30' };
    expect(momentOf(input)?.getTime()).toBe(new Date(2026, 11, 9, 14, 30).getTime());
    expect(expiresAtOf(input)).toBe(new Date(2026, 11, 9, 14, 30).toISOString());
    expect(expiresAtOf({ ...input, ends: false })).toBeNull();
    // A stored end comes back as the same day and time.
    expect(inputOfStored(expiresAtOf(input))).toEqual(input);
    expect(inputOfStored(undefined)).toMatchObject({ ends: false, date: '' });
  });

  it('says what is wrong before anything is sent, by the API rules', () => {
    expect(endProblem({ ends: false, date: '', time: '' }, now)).toBeNull();
    expect(endProblem({ ends: true, date: '', time: '12:00' }, now)).toBe('Choose the day the membership ends.');
    expect(endProblem({ ends: true, date: '2027-02-31', time: '12:00' }, now)).toBe('Enter a day and time that exist.');
    expect(endProblem({ ends: true, date: '2026-12-07', time: '1' }, now)).toBe('Enter a time as hh:mm (24-hour clock).');
    expect(endProblem({ ends: true, date: '2026-12-07', time: '11:59' }, now)).toBe('Choose a moment in the future.');
    expect(endProblem({ ends: true, date: '2026-12-07', time: '12:01' }, now)).toBeNull();
    // 366 days ahead is the last moment taken (2027-12-08 12:00:30 here).
    expect(endProblem({ ends: true, date: '2027-12-08', time: '12:00' }, now)).toBeNull();
    expect(endProblem({ ends: true, date: '2027-12-08', time: '12:01' }, now)).toBe('Choose a moment at most a year (366 days) ahead.');
    expect(isSelectableDay(new Date(2026, 11, 7), now)).toBe(true);
    expect(isSelectableDay(new Date(2026, 11, 6), now)).toBe(false);
    expect(isSelectableDay(new Date(2027, 11, 8), now)).toBe(true);
    expect(isSelectableDay(new Date(2027, 11, 9), now)).toBe(false);
  });

  it('compares ends to the minute', () => {
    expect(sameEnd('2026-12-09T14:30:00.000Z', '2026-12-09T14:30:41.123Z')).toBe(true);
    expect(sameEnd('2026-12-09T14:30:00.000Z', '2026-12-09T14:31:00.000Z')).toBe(false);
    expect(sameEnd(null, undefined)).toBe(true);
    expect(sameEnd(null, '2026-12-09T14:30:00.000Z')).toBe(false);
  });

  it("learns the installation's limit from Add Myself's refusal, and only from it", () => {
    const refusal = new ApiError(400, {
      type: 'validation-failed', title: 'Invalid request', status: 400, detail: '',
      errors: { expiresAt: 'must be at most 8 hours ahead (SELF_ASSIGN_MAX_HOURS)' },
    });
    expect(selfAssignLimitOf(refusal)).toBe(8);
    const other = new ApiError(400, { type: 'validation-failed', title: 'Invalid', status: 400, detail: '', errors: { expiresAt: 'must be in the future' } });
    expect(selfAssignLimitOf(other)).toBeNull();
    expect(selfAssignLimitOf(new Error('x'))).toBeNull();
  });
});

describe('a membership end in a list', () => {
  const at = now.getTime();
  const inTwoDays = new Date(2026, 11, 9, 14, 0).toISOString();
  it('says it relative, with the exact time beside it', () => {
    expect(endWords(inTwoDays, at)).toBe('Ends in 2 days');
    expect(endWords(new Date(at - 5 * 60_000).toISOString(), at)).toBe('Ended 5 minutes ago');
    expect(endWords(new Date(at + 8 * 3600_000 - 30_000).toISOString(), at)).toBe('Ends in 8 hours');
    // Within two days in hours (a "tomorrow" could be the day after), then days, then months.
    expect(endWords(new Date(at + 30 * 3600_000).toISOString(), at)).toBe('Ends in 30 hours');
    expect(endWords(new Date(at + 10 * 24 * 3600_000).toISOString(), at)).toBe('Ends in 10 days');
    expect(endWords(new Date(at + 100 * 24 * 3600_000).toISOString(), at)).toBe('Ends in 3 months');
    expect(endWords(new Date(at + 366 * 24 * 3600_000).toISOString(), at)).toBe('Ends in 1 year');
    expect(endWords(new Date(at + 20_000).toISOString(), at)).toBe('Ends in 1 minute');
    expect(endSentence(inTwoDays, at)).toBe('ends in 2 days (Wed, 9 Dec 2026, 14:00)');
    expect(endSentence(null, at)).toBe('does not end');
  });

  it('shows the exact time as text (a phone has no hover) and in the title, and marks an end within 3 days', () => {
    const { container, rerender } = render(<MemberEnd expiresAt={inTwoDays} warnedAt="2026-12-06T10:00:00Z" now={at} />);
    const time = container.querySelector('time')!;
    expect(time.textContent).toBe('Ends in 2 days');
    expect(time.getAttribute('title')).toBe('Wed, 9 Dec 2026, 14:00');
    expect(time.getAttribute('datetime')).toBe(inTwoDays);
    expect(screen.getByText('Wed, 9 Dec 2026, 14:00 · reminder mailed')).toBeTruthy();
    expect(container.querySelector('[class*="status-warning"]')).not.toBeNull();

    rerender(<MemberEnd expiresAt={new Date(2027, 0, 20, 9, 0).toISOString()} now={at} />);
    expect(container.querySelector('time')!.textContent).toBe('Ends in 44 days');
    expect(container.querySelector('[class*="status-warning"]')).toBeNull();

    rerender(<MemberEnd expiresAt={undefined} now={at} />);
    expect(screen.getByText('No end')).toBeTruthy();
    rerender(<MemberEnd expiresAt={undefined} hideNoEnd now={at} />);
    expect(container.textContent).toBe('');
  });
});
