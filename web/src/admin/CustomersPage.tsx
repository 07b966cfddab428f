import { useState } from 'react';
import { Pager, useCursorPages } from '../ui/Pager';
import { Link, useSearchParams } from 'react-router-dom';
import { approveCustomer, etagOf, listCustomers } from '../api/admin';
import { CUSTOMER_STATUSES, type Customer, type CustomerStatus } from '../api/types';
import { useApi } from '../auth/AuthContext';
import { problemSentence } from '../problem/problem';
import { EmptyState, Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { useDocumentTitle } from '../ui/useDocumentTitle';
import { STATUS_LABEL } from './labels';

const PAGE_SIZE = 25;

/** The customers in the caller's scope: search, status filter, paging, and an action per row. */
export function CustomersPage() {
  useDocumentTitle('Customers');
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const status = (params.get('status') ?? '') as CustomerStatus | '';
  const [searchText, setSearchText] = useState(q);
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const [notice, setNotice] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);

  const { result, reload } = useLoad(
    () => listCustomers(api, { q, status, cursor, limit: PAGE_SIZE }).then((r) => r.body),
    [api, q, status, cursor],
  );

  const setFilter = (next: { q?: string; status?: string }) => {
    const merged = new URLSearchParams(params);
    for (const [name, value] of Object.entries(next)) {
      if (value) merged.set(name, value);
      else merged.delete(name);
    }
    pages.reset();
    setParams(merged, { replace: true });
  };

  const approve = async (customer: Customer) => {
    setNotice(null);
    setRowError(null);
    try {
      await approveCustomer(api, customer.identifier, etagOf(customer.version));
      setNotice(`${customer.displayName} (${customer.identifier}) was approved.`);
      reload();
    } catch (error) {
      setRowError(`${customer.identifier} could not be approved. ${problemSentence(error)}`);
    }
  };

  return (
    <>
      <div className="page-head">
        <h1>Customers</h1>
        <Link className="button primary" to="/admin/customers/new">+ Create Customer</Link>
      </div>
      <form
        role="search"
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ q: searchText.trim() });
        }}
      >
        <div className="field">
          <label htmlFor="customer-search">Search customers</label>
          <input id="customer-search" type="search" value={searchText} onChange={(e) => setSearchText(e.target.value)}
            placeholder="Identifier or name starts with…" />
        </div>
        <button type="submit">Search</button>
        <div className="field">
          <label htmlFor="customer-status">Status</label>
          <select id="customer-status" value={status} onChange={(e) => setFilter({ status: e.target.value })}>
            <option value="">All statuses</option>
            {CUSTOMER_STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABEL[s]}</option>)}
          </select>
        </div>
      </form>
      {notice ? <p role="status" className="notice">{notice}</p> : null}
      {rowError ? <div role="alert" className="form-message"><p>{rowError}</p></div> : null}
      {result.state === 'loading' ? <Loading label="Loading customers…" /> : null}
      {result.state === 'failed' ? <ProblemText error={result.error} onRetry={reload} /> : null}
      {result.state === 'loaded' ? (
        <>
          {result.value.items.length === 0 ? (
            <EmptyState>{q || status ? 'No customer matches this search.' : 'There are no customers yet.'}</EmptyState>
          ) : (
            <CustomerTable customers={result.value.items} onApprove={approve} />
          )}
          <Pager label="Pages of customers" pages={pages} nextCursor={result.value.nextCursor} previousText="Previous page" nextText="Next page" />
        </>
      ) : null}
    </>
  );
}

function CustomerTable({ customers, onApprove }: { customers: Customer[]; onApprove: (customer: Customer) => void }) {
  return (
    <table>
      <caption className="visually-hidden">Customers</caption>
      <thead>
        <tr>
          <th scope="col">Identifier</th>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Partner</th>
          <th scope="col">Projects</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {customers.map((customer) => {
          const id = customer.identifier;
          const base = `/admin/customers/${encodeURIComponent(id)}`;
          return (
            <tr key={id}>
              <th scope="row"><Link to={base}>{id}</Link></th>
              <td>{customer.displayName}</td>
              <td><span className="status">{STATUS_LABEL[customer.status]}</span></td>
              <td>{customer.managingPartnerId}</td>
              <td>{customer.projectCount} of {customer.projectQuota}</td>
              <td>
                <div className="actions">
                  <Link to={`${base}/users`} aria-label={`Users of ${id}`}>Users</Link>
                  <Link to={`${base}/messages`} aria-label={`Send message to ${id}`}>Message</Link>
                  <Link to={`${base}/quota`} aria-label={`Quota of ${id}`}>Quota</Link>
                  <Link to={`${base}/tags`} aria-label={`Tags of ${id}`}>Tags</Link>
                  <Link to={`${base}/history`} aria-label={`History of ${id}`}>History</Link>
                  {customer.status === 'PENDING_APPROVAL' ? (
                    <button type="button" aria-label={`Approve ${id}`} onClick={() => onApprove(customer)}>Approve</button>
                  ) : null}
                  {customer.status === 'ACTIVE' ? (
                    <Link to={`${base}/status`} aria-label={`Disable ${id}`}>Disable</Link>
                  ) : null}
                  {customer.status === 'DISABLED' ? (
                    <Link to={`${base}/status`} aria-label={`Enable ${id}`}>Enable</Link>
                  ) : null}
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
