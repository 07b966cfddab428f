import Box from '@cloudscape-design/components/box';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { minuteTime } from '../time';

/**
 * An end within this many days is pointed out: the member is mailed that many days before it
 * (MEMBERSHIP_EXPIRY_WARNING_DAYS, 3 unless the installation says otherwise).
 */
export const SOON_DAYS = 3;

const DAY_MS = 24 * 3600_000;

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/**
 * How far an end is, in the unit people plan access in: minutes within the hour, hours within two
 * days ("in 30 hours", not a "tomorrow" that may be the day after), days within two months ("in
 * 10 days", not "next week"), then months and years.
 */
export function endRelative(expiresAt: string, now: number = Date.now()): string {
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return expiresAt;
  const ms = at - now;
  const size = Math.abs(ms);
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    size < 3600_000 ? [Math.max(1, Math.round(size / 60_000)), 'minute']
      : size < 2 * DAY_MS ? [Math.round(size / 3600_000), 'hour']
        : size < 60 * DAY_MS ? [Math.round(size / DAY_MS), 'day']
          : size < 365 * DAY_MS ? [Math.round(size / (30 * DAY_MS)), 'month']
            : [Math.round(size / (365 * DAY_MS)), 'year'];
  return RELATIVE.format(ms < 0 ? -value : value, unit);
}

/** "Ends in 2 days", "Ends in 8 hours", "Ended 3 minutes ago". */
export function endWords(expiresAt: string, now: number = Date.now()): string {
  return `${Date.parse(expiresAt) <= now ? 'Ended' : 'Ends'} ${endRelative(expiresAt, now)}`;
}

/** In a sentence: "ends in 2 days (Wed, 9 Dec 2026, 14:00)", or "does not end". */
export function endSentence(expiresAt: string | null | undefined, now: number = Date.now()): string {
  return expiresAt ? `${endWords(expiresAt, now).toLowerCase()} (${minuteTime(expiresAt)})` : 'does not end';
}

/**
 * A member's end in a list: relative ("Ends in 2 days", marked when within SOON_DAYS) with the exact
 * local time under it (and in the `<time>`'s title), so a phone, which has no hover, shows it too;
 * "No end" when it does not end (`hideNoEnd`: nothing, where the end is an addition to another cell).
 */
export function MemberEnd({ expiresAt, warnedAt, hideNoEnd = false, now = Date.now() }: { expiresAt?: string | null; warnedAt?: string | null; hideNoEnd?: boolean; now?: number }) {
  if (!expiresAt) return hideNoEnd ? null : <Box color="text-status-inactive">No end</Box>;
  const at = Date.parse(expiresAt);
  const words = (
    <time dateTime={expiresAt} title={minuteTime(expiresAt)}>
      {endWords(expiresAt, now)}
    </time>
  );
  return (
    <SpaceBetween size="xxxs">
      {at <= now ? (
        <StatusIndicator type="stopped">{words}</StatusIndicator>
      ) : at - now <= SOON_DAYS * DAY_MS ? (
        <StatusIndicator type="warning">{words}</StatusIndicator>
      ) : (
        <span>{words}</span>
      )}
      <Box variant="small">
        {minuteTime(expiresAt)}
        {warnedAt ? ' · reminder mailed' : ''}
      </Box>
    </SpaceBetween>
  );
}
