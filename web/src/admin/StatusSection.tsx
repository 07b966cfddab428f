import { useState, type FormEvent } from 'react';
import { approveCustomer, changeStatus } from '../api/admin';
import { useApi } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { useFormProblem } from '../problem/useFormProblem';
import { Field } from '../ui/Field';
import { useCustomer } from './CustomerPage';
import { STATUS_LABEL } from './labels';

/** Approve a pending registration; disable or enable with a reason. */
export function StatusSection() {
  const api = useApi();
  const { customer, etag, replace, reload } = useCustomer();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const { problem, report, clear, fieldError } = useFormProblem(['reason', 'status']);
  const id = customer.identifier;

  const run = async (action: () => Promise<{ body: typeof customer; etag: string | null }>, said: (c: typeof customer) => string) => {
    clear();
    setDone(null);
    setBusy(true);
    try {
      const answer = await action();
      replace(answer.body, answer.etag);
      setReason('');
      setDone(said(answer.body));
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  const target = customer.status === 'DISABLED' ? 'ACTIVE' : 'DISABLED';
  const verb = target === 'DISABLED' ? 'Disable' : 'Enable';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(
      () => changeStatus(api, id, target, reason.trim() || null, etag),
      (c) => `${id} is now ${STATUS_LABEL[c.status].toLowerCase()}.`,
    );
  };

  return (
    <section aria-labelledby="status-heading">
      <h2 id="status-heading">Status of {customer.displayName}</h2>
      <p>Current status: <strong>{STATUS_LABEL[customer.status]}</strong></p>
      {done ? <p role="status" className="notice">{done}</p> : null}
      {customer.status === 'PENDING_APPROVAL' ? (
        <>
          <p>This customer registered itself and waits for approval.</p>
          <button
            type="button"
            className="primary"
            disabled={busy}
            aria-label={`Approve ${id}`}
            onClick={() => void run(() => approveCustomer(api, id, etag), (c) => `${id} was approved: it is now ${STATUS_LABEL[c.status].toLowerCase()}.`)}
          >
            Approve
          </button>
        </>
      ) : null}
      {customer.status === 'AWAITING_EMAIL_CONFIRMATION' ? (
        <p>This customer was approved and waits for its registrant to confirm the e-mail address.</p>
      ) : null}
      {customer.status === 'ACTIVE' || customer.status === 'DISABLED' ? (
        <form onSubmit={submit} aria-label={`${verb} ${id}`}>
          {target === 'DISABLED' ? (
            <p>
              Disabled customers keep everything they have, but their users can no longer open tenants or create
              service users.
            </p>
          ) : null}
          <Field label="Reason" hint="Recorded in the history. 1 to 500 characters on one line." error={fieldError('reason')}>
            {(control) => <input {...control} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <button type="submit" className={target === 'DISABLED' ? 'danger' : 'primary'} disabled={busy} aria-label={`${verb} ${id}`}>
            {verb}
          </button>
        </form>
      ) : null}
      <FormMessage problem={problem} onReload={() => { clear(); reload(); }} />
    </section>
  );
}
