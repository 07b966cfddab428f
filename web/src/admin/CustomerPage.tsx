import { useCallback, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useOutletContext, useParams } from 'react-router-dom';
import { getCustomer } from '../api/admin';
import type { Customer } from '../api/types';
import { useApi } from '../auth/AuthContext';
import { Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { useDocumentTitle } from '../ui/useDocumentTitle';
import { STATUS_LABEL, formatTime } from './labels';

export interface CustomerContext {
  customer: Customer;
  /** The version as read, quotes included, for If-Match. */
  etag: string;
  /** After a write: the customer as the API answered it. */
  replace: (customer: Customer, etag: string | null) => void;
  reload: () => void;
}

export const useCustomer = () => useOutletContext<CustomerContext>();

/** One customer in the admin area: its facts, and a section per action. */
export function CustomerPage() {
  const api = useApi();
  const { id = '' } = useParams();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice ?? null;
  const { result, reload, setResult } = useLoad(
    () => getCustomer(api, id).then((r) => ({ customer: r.body, etag: r.etag ?? `"${r.body.version}"` })),
    [api, id],
  );
  const replace = useCallback(
    (customer: Customer, etag: string | null) =>
      setResult({ state: 'loaded', value: { customer, etag: etag ?? `"${customer.version}"` } }),
    [setResult],
  );
  const [noticeShown] = useState(notice);
  useDocumentTitle(result.state === 'loaded' ? result.value.customer.displayName : `Customer ${id}`);

  if (result.state === 'loading') return <Loading label="Loading the customer…" />;
  if (result.state === 'failed') {
    return (
      <>
        <p><Link to="/admin/customers">Back to customers</Link></p>
        <h1>Customer {id}</h1>
        <ProblemText error={result.error} onRetry={reload} />
      </>
    );
  }
  const { customer, etag } = result.value;
  const context: CustomerContext = { customer, etag, replace, reload };
  const section = (path: string, label: string) => (
    <li><NavLink to={path} end>{label}</NavLink></li>
  );
  return (
    <>
      <p><Link to="/admin/customers">Back to customers</Link></p>
      <h1>{customer.displayName} <span className="hint">({customer.identifier})</span></h1>
      {noticeShown ? <p role="status" className="notice">{noticeShown}</p> : null}
      <nav aria-label="Customer sections" className="sub-nav">
        <ul>
          {section('.', 'Overview')}
          {section('users', 'Users')}
          {section('messages', 'Messages')}
          {section('quota', 'Quota')}
          {section('tags', 'Tags')}
          {section('history', 'History')}
          {section('status', 'Status')}
        </ul>
      </nav>
      <Outlet context={context} />
    </>
  );
}

export function CustomerOverview() {
  const { customer } = useCustomer();
  const tagEntries = Object.entries(customer.tags);
  return (
    <section aria-labelledby="overview-heading">
      <h2 id="overview-heading">Overview</h2>
      <dl>
        <dt>Identifier</dt><dd>{customer.identifier}</dd>
        <dt>Status</dt><dd>{STATUS_LABEL[customer.status]}</dd>
        <dt>Managing partner</dt><dd>{customer.managingPartnerId}</dd>
        <dt>Projects</dt><dd>{customer.projectCount} of {customer.projectQuota}</dd>
        <dt>Created</dt><dd>{formatTime(customer.createdAt)}</dd>
        <dt>Tags</dt>
        <dd>{tagEntries.length === 0 ? 'None' : tagEntries.map(([key, values]) => `${key}: ${values.join(', ')}`).join('; ')}</dd>
      </dl>
    </section>
  );
}
