// When a new key stops working: a few usual spans, a day of the person's choice, or never. The
// API takes the moment as RFC 3339; a chosen day means up to its end in the person's time zone.

export type ExpiryChoice = '30' | '90' | '365' | 'date' | 'never';

export const EXPIRY_CHOICES: { value: ExpiryChoice; label: string }[] = [
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In one year' },
  { value: 'date', label: 'On a day of my choice' },
  { value: 'never', label: 'Never' },
];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The end (23:59:59) of `day` (YYYY-MM-DD) in the local time zone, or null for no valid day. */
function endOfDay(day: string): Date | null {
  if (!DAY.test(day)) return null;
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const end = new Date(year, month - 1, date, 23, 59, 59);
  // new Date(2027, 1, 31) rolls over into March: such a day does not exist.
  return end.getFullYear() === year && end.getMonth() === month - 1 && end.getDate() === date ? end : null;
}

/** The API takes an expiry at most 366 days ahead: the last day one can choose ends before that. */
export const MAX_DAYS_AHEAD = 365;

/**
 * Whether `day` (its midnight) may be chosen in the date picker: from tomorrow (a key ending today
 * would be gone before it is set up) to a year ahead.
 */
export function isSelectableDay(day: Date, now: Date = new Date()): boolean {
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const last = new Date(now.getFullYear(), now.getMonth(), now.getDate() + MAX_DAYS_AHEAD);
  return day.getTime() >= tomorrow.getTime() && day.getTime() <= last.getTime();
}

/** Why the choice cannot be sent, or null. */
export function expiryProblem(choice: ExpiryChoice, day: string, now: Date = new Date()): string | null {
  if (choice !== 'date') return null;
  if (!day) return 'Choose the day the key stops working.';
  const end = endOfDay(day);
  if (!end) return 'Enter a day as YYYY/MM/DD.';
  const midnight = new Date(end.getFullYear(), end.getMonth(), end.getDate());
  if (!isSelectableDay(midnight, now)) {
    return midnight.getTime() < now.getTime() ? 'Choose a day from tomorrow on.' : 'Choose a day at most a year ahead.';
  }
  return null;
}

/** The `expiresAt` to send: an RFC 3339 moment in UTC, or null for a key that does not expire. */
export function expiresAtOf(choice: ExpiryChoice, day: string, now: Date = new Date()): string | null {
  if (choice === 'never') return null;
  const moment = choice === 'date' ? endOfDay(day) : new Date(now.getTime() + Number(choice) * 24 * 3600 * 1000);
  if (!moment) return null;
  return moment.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Whether a key has expired by `now`. */
export const hasExpired = (expiresAt: string | null | undefined, now: number = Date.now()) =>
  Boolean(expiresAt) && new Date(expiresAt!).getTime() <= now;

/** A key that stops working within a week is pointed out, so that it is replaced in time. */
const SOON_MS = 7 * 24 * 3600 * 1000;

/** Whether a key still works at `now` but stops within a week. */
export const expiresSoon = (expiresAt: string | null | undefined, now: number = Date.now()) =>
  Boolean(expiresAt) && !hasExpired(expiresAt, now) && new Date(expiresAt!).getTime() - now <= SOON_MS;
