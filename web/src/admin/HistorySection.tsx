import { useState, type FormEvent } from 'react';
import { Pager, useCursorPages } from '../ui/Pager';
import { listHistory } from '../api/admin';
import { EVENT_TYPES, type HistoryEntry } from '../api/types';
import { useApi } from '../auth/AuthContext';
import { Field } from '../ui/Field';
import { EmptyState, Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { useCustomer } from './CustomerPage';
import { formatTime } from './labels';

const PAGE_SIZE = 25;

/** A date input's day (local time) as the RFC 3339 instant the API takes; `dayAfter` for an exclusive end. */
export function dayStart(day: string, dayAfter = false): string | undefined {
  if (!day) return undefined;
  const start = new Date(`${day}T00:00:00`);
  if (Number.isNaN(start.getTime())) return undefined;
  if (dayAfter) start.setDate(start.getDate() + 1);
  return start.toISOString();
}

interface Filter {
  type: string;
  from: string;
  to: string;
}

export function HistorySection() {
  const api = useApi();
  const { customer } = useCustomer();
  const id = customer.identifier;
  const [draft, setDraft] = useState<Filter>({ type: '', from: '', to: '' });
  const [filter, setFilter] = useState<Filter>(draft);
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const { result, reload } = useLoad(
    () => listHistory(api, id, {
      type: filter.type || undefined,
      since: dayStart(filter.from),
      until: dayStart(filter.to, true),
      cursor,
      limit: PAGE_SIZE,
    }).then((r) => r.body),
    [api, id, filter, cursor],
  );

  const apply = (event: FormEvent) => {
    event.preventDefault();
    pages.reset();
    // A new object even when nothing changed: "Show events" again reads the history again.
    setFilter({ ...draft });
  };

  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History of {customer.displayName}</h2>
      <form className="toolbar" onSubmit={apply} aria-label="Filter the history">
        <Field label="Event type">
          {(control) => (
            <select {...control} value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })}>
              <option value="">All events</option>
              {EVENT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          )}
        </Field>
        <Field label="From (day)">
          {(control) => <input {...control} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />}
        </Field>
        <Field label="To (day, included)">
          {(control) => <input {...control} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />}
        </Field>
        <button type="submit">Show events</button>
      </form>
      <p className="hint">Newest first. A change appears here a moment after it was made.</p>
      {result.state === 'loading' ? <Loading label="Loading the history…" /> : null}
      {result.state === 'failed' ? <ProblemText error={result.error} onRetry={reload} /> : null}
      {result.state === 'loaded' ? (
        <>
          {result.value.items.length === 0 ? <EmptyState>No events match.</EmptyState> : (
            <table>
              <caption className="visually-hidden">Events of {id}</caption>
              <thead>
                <tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">By</th><th scope="col">Details</th></tr>
              </thead>
              <tbody>
                {result.value.items.map((event) => (
                  <tr key={event.eventId}>
                    <td>{formatTime(event.occurredAt)}</td>
                    <td>{event.type}</td>
                    <td>{event.actor?.email ?? event.actor?.userId ?? 'the system'}</td>
                    <td>{describeData(event)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager label="Pages of the history" pages={pages} nextCursor={result.value.nextCursor} previousText="Newer events" nextText="Older events" />
        </>
      ) : null}
    </section>
  );
}

/** The event's data as short text: `name: value` pairs, `from → to` for changes. */
function describeData(event: HistoryEntry): string {
  const data = event.data;
  if (data === null || typeof data !== 'object') return '';
  return Object.entries(data as Record<string, unknown>)
    .map(([name, value]) => `${name}: ${describeValue(value)}`)
    .join('; ');
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(describeValue).join(', ');
  const record = value as Record<string, unknown>;
  if ('from' in record && 'to' in record) return `${describeValue(record.from)} → ${describeValue(record.to)}`;
  return Object.entries(record).map(([k, v]) => `${k}: ${describeValue(v)}`).join(', ');
}
