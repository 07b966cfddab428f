// When a membership ends (issue 24): the form's value (a day and a time in the person's own time
// zone, or no end), its checks by the API's rules, and the RFC 3339 moment sent as `expiresAt`
// (Add Myself), `membershipExpiresAt` (an invitation) or the body of PUT …/users/{userId}/expiry.
import { ApiError } from '../../api/client';

/** The form's value: `date` as the date picker gives it (YYYY-MM-DD), `time` as the time input (HH:mm). */
export interface EndInput {
  ends: boolean;
  date: string;
  time: string;
}

/** The API takes an end at most 366 days ahead (components/schemas/ExpiryChange). */
export const MAX_DAYS_AHEAD = 366;

/**
 * The default end of "Add Myself": 8 hours from now, a working day. A partner joins a customer
 * for a task (a ticket, a setup); a day of access covers it without anyone having to remember to
 * leave, and it stays within a limit of a working day should the installation set one
 * (SELF_ASSIGN_MAX_HOURS of 8 or more). The end of the next working day, the other candidate,
 * reaches 3½ days over a weekend and would be refused by such a limit.
 */
export const SELF_ASSIGN_DEFAULT_HOURS = 8;

/** The time an end on a chosen day gets at first: that day is included. */
export const END_OF_DAY = '23:59';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;
const pad = (n: number) => String(n).padStart(2, '0');

/** A moment as the form shows it, in the local time zone. */
export function inputOf(moment: Date): EndInput {
  return {
    ends: true,
    date: `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`,
    time: `${pad(moment.getHours())}:${pad(moment.getMinutes())}`,
  };
}

/**
 * `hours` from `now`, to the minute, rounded down: shown as a day and an hh:mm time, it is then
 * never later than asked (an end just past a configured limit would be refused).
 */
export function hoursFromNow(hours: number, now: Date = new Date()): Date {
  const moment = new Date(now.getTime() + hours * 3600_000);
  moment.setSeconds(0, 0);
  return moment;
}

/** The form's value for a stored end (or none): the end itself, or no end with the day left to choose. */
export function inputOfStored(expiresAt: string | null | undefined): EndInput {
  if (!expiresAt) return { ends: false, date: '', time: END_OF_DAY };
  const moment = new Date(expiresAt);
  return Number.isNaN(moment.getTime()) ? { ends: false, date: '', time: END_OF_DAY } : inputOf(moment);
}

/** The moment the form names (local time), or null when the day or time is incomplete or no real one. */
export function momentOf(input: EndInput): Date | null {
  const day = DAY.exec(input.date);
  const time = TIME.exec(input.time);
  if (!day || !time) return null;
  const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
  const [hours, minutes] = [Number(time[1]), Number(time[2])];
  if (hours > 23 || minutes > 59) return null;
  const moment = new Date(year, month - 1, date, hours, minutes);
  // new Date(2027, 1, 31) rolls over into March: such a day does not exist.
  if (moment.getFullYear() !== year || moment.getMonth() !== month - 1 || moment.getDate() !== date) return null;
  return moment;
}

/** The latest end the API takes from `now`. */
export const latestEnd = (now: Date = new Date()) => new Date(now.getTime() + MAX_DAYS_AHEAD * 24 * 3600_000);

/** Whether the date picker offers `day` (its midnight): from today to the last day an end may fall on. */
export function isSelectableDay(day: Date, now: Date = new Date()): boolean {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  return day.getTime() >= today.getTime() && day.getTime() <= latestEnd(now).getTime();
}

/** Why the form's end cannot be sent, or null (no end is always fine here). */
export function endProblem(input: EndInput, now: Date = new Date()): string | null {
  if (!input.ends) return null;
  if (!input.date) return 'Choose the day the membership ends.';
  if (!DAY.test(input.date)) return 'Enter a day as YYYY/MM/DD.';
  if (!TIME.test(input.time)) return 'Enter a time as hh:mm (24-hour clock).';
  const moment = momentOf(input);
  if (!moment) return 'Enter a day and time that exist.';
  if (moment.getTime() <= now.getTime()) return 'Choose a moment in the future.';
  if (moment.getTime() > latestEnd(now).getTime()) return `Choose a moment at most a year (${MAX_DAYS_AHEAD} days) ahead.`;
  return null;
}

/** What to send: an RFC 3339 moment in UTC, or null for no end (or an incomplete form). */
export function expiresAtOf(input: EndInput): string | null {
  if (!input.ends) return null;
  return momentOf(input)?.toISOString() ?? null;
}

/** Whether two ends are the same to the minute (the form's granularity); null is no end. */
export function sameEnd(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return Math.floor(Date.parse(a) / 60_000) === Math.floor(Date.parse(b) / 60_000);
}

/** The person's time zone as the browser names it ("Europe/Berlin"), for the form's hint. */
export function timeZoneName(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'your time zone';
  } catch {
    return 'your time zone';
  }
}

/**
 * The installation's limit of a self-assignment in hours, when `error` is Add Myself's refusal of
 * a later end (400 naming `expiresAt` "must be at most N hours ahead (SELF_ASSIGN_MAX_HOURS)"), else
 * null. The API says the limit nowhere else: the page learns it from this refusal.
 */
export function selfAssignLimitOf(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const message = error.problem.errors?.expiresAt ?? error.problem.errors?.['/expiresAt'];
  const match = message ? /at most (\d+) hours? ahead/.exec(message) : null;
  return match ? Number(match[1]) : null;
}
