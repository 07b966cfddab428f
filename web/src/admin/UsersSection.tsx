import { useState, type FormEvent } from 'react';
import { addMyself, listMembers } from '../api/admin';
import { useApi } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { useFormProblem } from '../problem/useFormProblem';
import { Field } from '../ui/Field';
import { EmptyState, Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useShowMore } from '../ui/useShowMore';
import { useCustomer } from './CustomerPage';
import { ROLE_LABEL, formatTime } from './labels';

const JOINED_VIA = { REGISTRATION: 'Registration', INVITATION: 'Invitation', SELF_ASSIGNMENT: 'Added themselves' } as const;

/** The customer's users, and "Add Myself" for the partner user looking at them. */
export function UsersSection() {
  const api = useApi();
  const { customer } = useCustomer();
  const id = customer.identifier;
  const list = useShowMore((cursor) => listMembers(api, id, cursor).then((r) => r.body), [api, id]);
  const { first, items: members, nextCursor, moreError, reloadAll } = list;

  return (
    <section aria-labelledby="users-heading">
      <div className="page-head">
        <h2 id="users-heading">Users of {customer.displayName}</h2>
      </div>
      <AddMyselfForm onJoined={reloadAll} />
      {first.result.state === 'loading' ? <Loading label="Loading users…" /> : null}
      {first.result.state === 'failed' ? <ProblemText error={first.result.error} onRetry={first.reload} /> : null}
      {first.result.state === 'loaded' ? (
        members.length === 0 ? (
          <EmptyState>This customer has no users yet.</EmptyState>
        ) : (
          <table>
            <caption className="visually-hidden">Users of {id}</caption>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Joined</th></tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.userId}>
                  <td>{m.name ?? m.userId}</td>
                  <td>{m.email ?? '—'}</td>
                  <td>{ROLE_LABEL[m.role]}</td>
                  <td>{formatTime(m.joinedAt)} ({JOINED_VIA[m.joinedVia]})</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {moreError ? <ProblemText error={moreError} /> : null}
      {nextCursor ? (
        <button type="button" onClick={list.showMore}>
          Show more users
        </button>
      ) : null}
    </section>
  );
}

function AddMyselfForm({ onJoined }: { onJoined: () => void }) {
  const api = useApi();
  const { customer } = useCustomer();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [joined, setJoined] = useState<string | null>(null);
  const { problem, report, clear, fieldError } = useFormProblem(['reason']);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    clear();
    setJoined(null);
    setBusy(true);
    try {
      const membership = await addMyself(api, customer.identifier, reason.trim() || null);
      setJoined(`You were added to ${customer.identifier} as ${ROLE_LABEL[membership.body.role]}.`);
      setReason('');
      onJoined();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label={`Add Myself to ${customer.identifier}`} className="toolbar">
      <Field label="Reason (optional)" hint="Recorded in the history and mailed to the customer's admins." error={fieldError('reason')}>
        {(control) => <input {...control} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button type="submit" className="primary" disabled={busy}>Add Myself</button>
      {joined ? <p role="status" className="notice">{joined}</p> : null}
      <FormMessage problem={problem} />
    </form>
  );
}
