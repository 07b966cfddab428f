import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import DatePicker from '@cloudscape-design/components/date-picker';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { body, type Schemas } from '../../api/client';
import { keys, PAGE_SIZE, tagDefinitionsQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { CursorPagination } from '../../shared/CursorPagination';
import { EVENT_LABEL, EVENT_TYPES, type EventType } from '../../shared/labels';
import { problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useListParams } from '../../shared/useListParams';
import { useNarrowScreen } from '../../shared/useNarrowScreen';
import { historySentence, type HistoryEntry } from './historySentence';
import { MembersAtMoment } from './MembersAtMoment';

const ANY_TYPE = { value: '', label: 'Any event' };
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The day's start in UTC (RFC 3339), or undefined; `nextDay` for "to (day, included)". */
function dayStart(day: string, nextDay = false): string | undefined {
  if (!DAY.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00Z`);
  if (nextDay) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().replace('.000Z', 'Z');
}

/** The account history (the seed's archive icon): newest first, one sentence each, the raw event a click away. */
export function HistoryTab({ customer }: { customer: Schemas['Customer'] }) {
  const api = useApi();
  const id = customer.identifier;
  const list = useListParams(['type', 'from', 'to']);
  // On a phone one column: the time above each sentence, the event's label left out.
  const narrow = useNarrowScreen();
  const { type, from, to } = list.filters as { type: EventType | ''; from: string; to: string };
  const events = useQuery({
    queryKey: [...keys.customer(id), 'events', { type, from, to, cursor: list.cursor ?? null }],
    queryFn: () =>
      body(api.GET('/customers/{id}/events', {
        params: {
          path: { id },
          query: { type: type || undefined, since: dayStart(from), until: dayStart(to, true), limit: PAGE_SIZE, cursor: list.cursor },
        },
      })),
    placeholderData: keepPreviousData,
  });
  const definitions = useQuery(tagDefinitionsQuery(api));
  const tagNames = Object.fromEntries((definitions.data?.items ?? []).map((d) => [d.key, d.displayName]));

  return (
    <SpaceBetween size="l">
      <MembersAtMoment customer={customer} />
      <Table<HistoryEntry>
        columnDisplay={narrow ? NARROW_COLUMNS : undefined}
        header={<Header description="Everything that happened to the customer, newest first. Times are in your time zone; hover one for the exact moment.">History</Header>}
        items={(events.data?.items ?? []) as unknown as HistoryEntry[]}
        loading={events.isPending}
        loadingText="Loading the history"
        trackBy="eventId"
        wrapLines
        ariaLabels={{ tableLabel: `History of ${customer.displayName}` }}
        filter={
          <SpaceBetween direction="horizontal" size="s">
            <FormField label="Event type">
              <Select
                selectedOption={type ? { value: type, label: EVENT_LABEL[type] } : ANY_TYPE}
                options={[ANY_TYPE, ...EVENT_TYPES.map((t) => ({ value: t, label: EVENT_LABEL[t] }))]}
                onChange={({ detail }) => list.setFilter('type', detail.selectedOption.value ?? '')}
              />
            </FormField>
            <FormField label="From (day)">
              <DatePicker value={from} onChange={({ detail }) => list.setFilter('from', detail.value)} placeholder="YYYY/MM/DD" openCalendarAriaLabel={(d) => `Choose the first day${d ? `, ${d}` : ''}`} />
            </FormField>
            <FormField label="To (day, included)">
              <DatePicker value={to} onChange={({ detail }) => list.setFilter('to', detail.value)} placeholder="YYYY/MM/DD" openCalendarAriaLabel={(d) => `Choose the last day${d ? `, ${d}` : ''}`} />
            </FormField>
          </SpaceBetween>
        }
        empty={events.isError ? <Box color="text-status-error">{problemSentence(events.error)}</Box> : <Box textAlign="center">No events{type || from || to ? ' match the filters' : ''}.</Box>}
        pagination={<CursorPagination list={list} nextCursor={events.data?.nextCursor} />}
        columnDefinitions={[
          { id: 'when', header: 'When', cell: (e) => <Time iso={e.occurredAt} /> },
          {
            id: 'what',
            header: 'What happened',
            isRowHeader: true,
            cell: (e) => (
              <SpaceBetween size="xxs">
                {narrow && <Box variant="small"><Time iso={e.occurredAt} /></Box>}
                <span>{historySentence(e, tagNames)}</span>
                <ExpandableSection headerText="Raw event" variant="footer">
                  <pre className="raw-event">{JSON.stringify(e, null, 2)}</pre>
                </ExpandableSection>
              </SpaceBetween>
            ),
          },
          { id: 'type', header: 'Event', cell: (e) => <Badge>{EVENT_LABEL[e.type] ?? e.type}</Badge> },
        ]}
      />
    </SpaceBetween>
  );
}

const NARROW_COLUMNS = ['when', 'what', 'type'].map((id) => ({ id, visible: id === 'what' }));
