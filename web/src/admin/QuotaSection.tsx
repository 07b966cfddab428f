import { useState, type FormEvent } from 'react';
import { setQuota } from '../api/admin';
import { useApi } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { useFormProblem } from '../problem/useFormProblem';
import { Field } from '../ui/Field';
import { useCustomer } from './CustomerPage';

export function QuotaSection() {
  const api = useApi();
  const { customer, etag, replace, reload } = useCustomer();
  const [quota, setQuotaText] = useState(String(customer.projectQuota));
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const { problem, report, clear, fieldError } = useFormProblem(['projectQuota']);
  const trimmed = quota.trim();
  const valid = /^\d+$/.test(trimmed) && Number(trimmed) <= 10000;
  const localError = trimmed !== '' && !valid ? 'Enter a whole number from 0 to 10000.' : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    clear();
    setSaved(null);
    if (!valid) return;
    setBusy(true);
    try {
      // If-Match: a quota decided on a stale reading must not overwrite someone else's change.
      const answer = await setQuota(api, customer.identifier, Number(trimmed), etag);
      replace(answer.body, answer.etag);
      setSaved(`The project quota of ${customer.identifier} is now ${answer.body.projectQuota}.`);
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="quota-heading">
      <h2 id="quota-heading">Project quota of {customer.displayName}</h2>
      <p>{customer.projectCount} projects exist. A quota below that only blocks new projects.</p>
      <form onSubmit={submit} noValidate aria-label={`Quota of ${customer.identifier}`}>
        <Field label="Maximum number of projects" hint="0 to 10000" error={localError ?? fieldError('projectQuota')}>
          {(control) => (
            <input {...control} type="number" min={0} max={10000} step={1} value={quota} onChange={(e) => setQuotaText(e.target.value)} />
          )}
        </Field>
        <FormMessage problem={problem} onReload={() => { clear(); reload(); }} />
        {saved ? <p role="status" className="notice">{saved}</p> : null}
        <button type="submit" className="primary" disabled={busy || !valid}>Save quota</button>
      </form>
    </section>
  );
}
