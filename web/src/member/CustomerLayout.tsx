// /my and /my/customers/:id: the customer drop-down (the caller's customers from /me/customers, with
// their role), the chosen customer's status, and its sections (users, projects, service users).
import { useEffect, useState } from 'react';
import { Link, Navigate, NavLink, Outlet, useNavigate, useParams } from 'react-router-dom';
import { getCustomer } from '../api/admin';
import { listMyCustomers, readAll, type MyCustomer } from '../api/member';
import { useApi } from '../auth/AuthContext';
import { Field } from '../ui/Field';
import { EmptyState, Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import type { Customer } from '../api/types';
import { notActiveReason, type CustomerView } from './CustomerContext';
import { useKept } from './useKept';
import { ROLE_LABELS, STATUS_LABELS } from './format';
import { useDocumentTitle } from '../ui/useDocumentTitle';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The caller's customers. `expected`: a customer the caller should be in (one just joined): the
 * list reads an eventually consistent index, so it is read again a few times while it lacks it.
 */
async function loadMyCustomers(api: ReturnType<typeof useApi>, expected?: string): Promise<MyCustomer[]> {
  let customers = await readAll((cursor) => listMyCustomers(api, cursor));
  for (let retry = 0; expected && retry < 3 && !customers.some((c) => c.customerId === expected); retry++) {
    await sleep(700);
    customers = await readAll((cursor) => listMyCustomers(api, cursor));
  }
  return customers;
}

/** /my: opens the first of the caller's customers, or says how to get one. */
export function MyCustomersIndex() {
  const api = useApi();
  const { result, reload } = useLoad(() => loadMyCustomers(api), [api]);
  useDocumentTitle('My customers');
  if (result.state === 'loading') return <Loading label="Loading your customers…" />;
  if (result.state === 'failed') {
    return (
      <>
        <h1>My customers</h1>
        <ProblemText error={result.error} onRetry={reload} />
      </>
    );
  }
  const first = result.value[0];
  if (first) return <Navigate to={`/my/customers/${encodeURIComponent(first.customerId)}`} replace />;
  return (
    <>
      <h1>My customers</h1>
      <EmptyState>You are not a member of any customer yet.</EmptyState>
      <p>
        If you were invited, open the link in your invitation mail. To start a new customer account,{' '}
        <Link to="/register">register a customer</Link>.
      </p>
    </>
  );
}

export function CustomerLayout() {
  const { id = '' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const [chosen, setChosen] = useState(id);
  useEffect(() => setChosen(id), [id]);
  const [customerGeneration, setCustomerGeneration] = useState(0);
  const mine = useLoad(() => loadMyCustomers(api, id), [api, id]);
  const customer = useLoad(async () => {
    const { body, etag } = await getCustomer(api, id);
    return { customer: body, etag };
  }, [api, id, customerGeneration]);

  // Keeps the previous customer on screen while its next read runs (after a change), so the page
  // does not flicker to "loading" and lose the focus.
  const [current, setCurrent] = useState<{ customer: Customer; etag: string | null } | null>(null);
  useEffect(() => {
    if (customer.result.state === 'loaded') setCurrent(customer.result.value);
  }, [customer.result]);
  useEffect(() => setCurrent(null), [id]);
  const shown = current?.customer ?? null;

  // Kept while read again (after an own role change), so the role does not blink away meanwhile.
  const myCustomers = useKept(mine.result) ?? [];
  const membership = myCustomers.find((c) => c.customerId === id) ?? null;

  let body;
  if (customer.result.state === 'failed' && !shown) {
    body = <ProblemText error={customer.result.error} onRetry={customer.reload} />;
  } else if (!shown) {
    body = <Loading label="Loading the customer…" />;
  } else {
    const view: CustomerView = {
      customer: shown,
      etag: current?.etag ?? null,
      replaceCustomer: (next, etag) => setCurrent({ customer: next, etag }),
      role: membership?.role ?? null,
      isAdmin: membership?.role === 'CUSTOMER_ADMIN',
      reloadCustomer: () => setCustomerGeneration((g) => g + 1),
      reloadRole: mine.reload,
    };
    const reason = notActiveReason(shown);
    body = (
      <>
        <div className="page-head">
          <h1>{shown.displayName}</h1>
          <p>
            <span className="status">{STATUS_LABELS[shown.status]}</span>{' '}
            {membership ? <>You are {ROLE_LABELS[membership.role].toLowerCase()} here.</> : null}
          </p>
        </div>
        {reason ? (
          <p className={shown.status === 'DISABLED' ? 'form-message' : 'notice'} id="customer-status-reason">
            {reason}
          </p>
        ) : null}
        {mine.result.state === 'loaded' && !membership ? (
          <p className="notice">
            You are not a member of this customer (or your membership is not visible yet): you can only look.
          </p>
        ) : null}
        <nav aria-label="Customer sections" className="sub-nav">
          <ul>
            <li><NavLink to="users">Users</NavLink></li>
            <li><NavLink to="projects">Projects</NavLink></li>
            {view.isAdmin ? <li><NavLink to="service-users">Service users</NavLink></li> : null}
            <li><NavLink to="account">Account</NavLink></li>
          </ul>
        </nav>
        {/* Keyed by customer: a section starts afresh for another customer, never showing the last one's lists. */}
        <div key={shown.identifier}>
          <Outlet context={view} />
        </div>
      </>
    );
  }

  // The current customer stays in the drop-down even before /me/customers shows it.
  const options = membership || !shown ? myCustomers : [...myCustomers, { customerId: shown.identifier, displayName: shown.displayName }];

  return (
    <>
      {/* A choice opens the customer only when asked: moving through the options with the
          keyboard must not load one customer after another (WCAG 3.2.2, on input). */}
      <form
        className="toolbar"
        aria-label="Choose a customer"
        onSubmit={(event) => {
          event.preventDefault();
          if (chosen !== id) navigate(`/my/customers/${encodeURIComponent(chosen)}`);
        }}
      >
        <Field label="Customer">
          {(control) => (
            <select
              {...control}
              value={chosen}
              onChange={(event) => setChosen(event.target.value)}
              disabled={mine.result.state === 'loading'}
            >
              {options.map((c) => (
                <option key={c.customerId} value={c.customerId}>
                  {c.displayName} ({c.customerId})
                </option>
              ))}
              {options.some((c) => c.customerId === id) ? null : <option value={id}>{id}</option>}
            </select>
          )}
        </Field>
        <button type="submit">Open customer</button>
        <Link to="/register">Register a customer</Link>
      </form>
      {mine.result.state === 'failed' ? <ProblemText error={mine.result.error} onRetry={mine.reload} /> : null}
      {body}
    </>
  );
}
