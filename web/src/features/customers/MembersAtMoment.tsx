import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import DatePicker from '@cloudscape-design/components/date-picker';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import TimeInput from '@cloudscape-design/components/time-input';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { body, type Schemas } from '../../api/client';
import { keys, membersQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { ROLE_LABEL } from '../../shared/labels';
import { timeZoneName } from '../../shared/membershipEnd/end';
import { problemSentence } from '../../shared/problems';
import { exactTime } from '../../shared/time';
import { useNarrowScreen } from '../../shared/useNarrowScreen';

type Member = Schemas['Membership'];

/** The picker's value: the day as the date picker gives it (YYYY-MM-DD), the time as hh:mm:ss. */
export interface MomentInput {
  date: string;
  time: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A moment as the picker shows it, in the local time zone, to the second. */
export function momentInputOf(moment: Date): MomentInput {
  return {
    date: `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`,
    time: `${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}`,
  };
}

/** The local moment the picker names (seconds optional), or null when incomplete or no real one. */
export function momentOf({ date, time }: MomentInput): Date | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const clock = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!day || !clock) return null;
  const [y, mo, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
  const [h, mi, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return null;
  const moment = new Date(y, mo - 1, d, h, mi, s);
  if (moment.getFullYear() !== y || moment.getMonth() !== mo - 1 || moment.getDate() !== d) return null;
  return moment;
}

/** Why the chosen moment cannot be asked for, or null. */
export function momentProblem(input: MomentInput, now: Date = new Date()): string | null {
  if (!input.date) return 'Choose a day.';
  const moment = momentOf(input);
  if (!moment) return 'Enter a day (YYYY/MM/DD) and a time (hh:mm:ss) that exist.';
  if (moment.getTime() > now.getTime()) return 'Choose a moment in the past: the history tells what was, not what will be.';
  return null;
}

const NARROW_COLUMNS = ['name', 'email', 'role', 'now'].map((id) => ({ id, visible: id === 'name' }));

/**
 * "Members on…": who was a member of the customer, with which role, at a moment the person picks
 * (their own time zone, to the minute), from the API's membership log — people removed since
 * included. Reads only, and only once a moment is shown.
 */
export function MembersAtMoment({ customer }: { customer: Schemas['Customer'] }) {
  const api = useApi();
  const id = customer.identifier;
  const narrow = useNarrowScreen();
  const [input, setInput] = useState<MomentInput>(() => momentInputOf(new Date()));
  const [touched, setTouched] = useState(false);
  const [at, setAt] = useState<string | null>(null);
  const problem = momentProblem(input);
  const then = useQuery({
    queryKey: [...keys.customer(id), 'users-at', at],
    queryFn: () => body(api.GET('/customers/{id}/users', { params: { path: { id }, query: { at: at! } } })),
    enabled: at !== null,
  });
  // Who is a member now, to mark those who are gone (only when the first page is all of them).
  const now = useQuery({ ...membersQuery(api, id, undefined), enabled: at !== null });
  const currentIds = now.data && !now.data.nextCursor ? new Set(now.data.items.map((m) => m.userId)) : null;

  const nowOf = (m: Member) =>
    !currentIds ? null : currentIds.has(m.userId) ? <StatusIndicator type="success">Member</StatusIndicator> : <StatusIndicator type="stopped">Removed since</StatusIndicator>;

  const show = () => {
    setTouched(true);
    const moment = momentOf(input);
    if (problem || !moment) return;
    setAt(moment.toISOString());
  };

  return (
    <Container
      header={
        <Header variant="h2" description="Who had access, with which role, at a moment in the past: people removed since are included, memberships that had ended by then are not.">
          Members on…
        </Header>
      }
    >
      <SpaceBetween size="m">
        <form onSubmit={(e) => { e.preventDefault(); show(); }}>
          <div className="moment-picker">
            <FormField label="Day" constraintText="YYYY/MM/DD" errorText={touched ? problem : null}>
              <DatePicker
                value={input.date}
                onChange={({ detail }) => setInput((v) => ({ ...v, date: detail.value }))}
                isDateEnabled={(day) => day.getTime() <= Date.now()}
                placeholder="YYYY/MM/DD"
                openCalendarAriaLabel={(day) => `Choose the day${day ? `, ${day}` : ''}`}
                expandToViewport
              />
            </FormField>
            <FormField label="Time" constraintText={`hh:mm:ss, 24-hour, ${timeZoneName()}`}>
              <TimeInput value={input.time} onChange={({ detail }) => setInput((v) => ({ ...v, time: detail.value }))} format="hh:mm:ss" use24Hour placeholder="hh:mm:ss" />
            </FormField>
            <div className="moment-picker__action">
              <Button formAction="submit" loading={then.isFetching}>Show members</Button>
            </div>
          </div>
        </form>
        {at ? (
          <Table<Member>
            variant="embedded"
            header={
              <Box variant="p">
                The members of {customer.displayName} on {exactTime(at)} ({timeZoneName()}), as the history records them
                {then.data ? `: ${then.data.items.length}` : ''}.
              </Box>
            }
            items={then.data?.items ?? []}
            loading={then.isPending}
            loadingText="Loading the members at that moment"
            trackBy="userId"
            wrapLines
            columnDisplay={narrow ? NARROW_COLUMNS : undefined}
            ariaLabels={{ tableLabel: `Members of ${customer.displayName} at the chosen moment` }}
            empty={
              then.isError ? (
                <Box color="text-status-error">{problemSentence(then.error)}</Box>
              ) : (
                <Box textAlign="center">No members at that moment (the customer had none yet).</Box>
              )
            }
            columnDefinitions={[
              {
                id: 'name',
                header: 'Name',
                isRowHeader: true,
                cell: (m) =>
                  narrow ? (
                    <SpaceBetween size="xxxs">
                      <span>{m.name ?? m.email ?? m.userId}</span>
                      {m.email && m.name ? <Box variant="small">{m.email}</Box> : null}
                      <Box variant="small">{ROLE_LABEL[m.role]}</Box>
                      {nowOf(m)}
                    </SpaceBetween>
                  ) : (
                    m.name ?? '—'
                  ),
              },
              { id: 'email', header: 'E-mail', cell: (m) => m.email ?? '—' },
              { id: 'role', header: 'Role then', cell: (m) => ROLE_LABEL[m.role] },
              {
                id: 'now',
                header: 'Now',
                cell: (m) => nowOf(m) ?? '—',
              },
            ]}
          />
        ) : null}
      </SpaceBetween>
    </Container>
  );
}
