// The customer account as its members see it: identifier, status, quota, display name and tags.
// Customer admins rename it and edit its unrestricted tags (restricted ones are the partner's and
// shown read-only); both edits send the ETag read as If-Match, and a 412 offers a reload.
import { useState, type FormEvent } from 'react';
import { editTags, listTagDefinitions } from '../api/admin';
import { renameCustomer } from '../api/member';
import type { Customer, TagDefinition } from '../api/types';
import { useApi } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { noProblem, type FormProblem } from '../problem/problem';
import { TagValueInput } from '../tags/TagValueInput';
import { tagValueProblem } from '../tags/tagValues';
import { Field } from '../ui/Field';
import { Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { notActiveReason, useCustomerView } from './CustomerContext';
import { formatDateTime, quotaText, STATUS_LABELS } from './format';
import { memberFormProblem } from './problemWords';
import { displayNameProblem } from './validation';
import { useDocumentTitle } from '../ui/useDocumentTitle';

export function AccountPage() {
  const { customer, isAdmin } = useCustomerView();
  useDocumentTitle(`Account · ${customer.displayName}`);
  const api = useApi();
  const definitions = useLoad(async () => (await listTagDefinitions(api)).body.items, [api]);
  const blocked = notActiveReason(customer);
  // Kept here: a saved edit changes the customer's version, which starts the forms afresh.
  const [saved, setSaved] = useState<string | null>(null);

  return (
    <section aria-labelledby="account-heading">
      <h2 id="account-heading">Account</h2>
      <dl className="facts">
        <dt>Identifier</dt><dd><code>{customer.identifier}</code> (cannot be changed)</dd>
        <dt>Status</dt><dd>{STATUS_LABELS[customer.status]}</dd>
        <dt>Projects</dt><dd>{quotaText(customer.projectCount, customer.projectQuota)}</dd>
        <dt>Created</dt><dd>{formatDateTime(customer.createdAt)}</dd>
      </dl>
      {saved ? <p role="status" className="notice">{saved}</p> : null}
      {isAdmin && !blocked ? <RenameForm key={`name-${customer.version}`} onSaved={() => setSaved('The display name was saved.')} /> : null}
      <h3>Tags</h3>
      {definitions.result.state === 'loading' ? <Loading label="Loading the tag definitions…" /> : null}
      {definitions.result.state === 'failed' ? <ProblemText error={definitions.result.error} onRetry={definitions.reload} /> : null}
      {definitions.result.state === 'loaded' ? (
        isAdmin && !blocked ? (
          <TagsForm key={`tags-${customer.version}`} definitions={definitions.result.value} onSaved={() => setSaved('The tags were saved.')} />
        ) : (
          <TagList customer={customer} definitions={definitions.result.value} />
        )
      ) : null}
    </section>
  );
}

function TagList({ customer, definitions }: { customer: Customer; definitions: TagDefinition[] }) {
  const keys = Object.keys(customer.tags);
  if (keys.length === 0) return <p className="empty">No tags.</p>;
  const nameOf = (key: string) => definitions.find((d) => d.key === key)?.displayName ?? key;
  return (
    <dl className="facts">
      {keys.map((key) => (
        <div key={key}>
          <dt>{nameOf(key)}</dt>
          <dd>{(customer.tags[key] ?? []).join(', ')}</dd>
        </div>
      ))}
    </dl>
  );
}

function RenameForm({ onSaved }: { onSaved: () => void }) {
  const api = useApi();
  const { customer, etag, replaceCustomer, reloadCustomer } = useCustomerView();
  const [displayName, setDisplayName] = useState(customer.displayName);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const localError = displayNameProblem(displayName, 'a display name');

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (localError) return;
    setBusy(true);
    setProblem(noProblem);
    try {
      const answer = await renameCustomer(api, customer.identifier, displayName.trim(), etag);
      onSaved();
      replaceCustomer(answer.body, answer.etag);
    } catch (error) {
      setProblem(memberFormProblem(error, ['displayName']));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="rename-heading">
      <h3 id="rename-heading">Rename the customer</h3>
      <Field label="Display name" error={localError ?? problem.fields.displayName ?? null}>
        {(control) => <input {...control} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
      </Field>
      <FormMessage problem={problem} onReload={() => { setProblem(noProblem); reloadCustomer(); }} />
      <button type="submit" className="primary" disabled={busy}>Save display name</button>
    </form>
  );
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Sends only the unrestricted tags that changed, as a merge (emptied → null, removed). */
function TagsForm({ definitions, onSaved }: { definitions: TagDefinition[]; onSaved: () => void }) {
  const api = useApi();
  const { customer, etag, replaceCustomer, reloadCustomer } = useCustomerView();
  const editable = definitions.filter((d) => !d.restricted);
  const restricted = definitions.filter((d) => d.restricted && (customer.tags[d.key]?.length ?? 0) > 0);
  const [values, setValues] = useState<Record<string, string[]>>(customer.tags);
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const changed = editable.filter((d) => !same(values[d.key] ?? [], customer.tags[d.key] ?? []));
  const shownFields = ['tags', ...editable.map((d) => `tags.${d.key}`)];

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setNotice(null);
    if (changed.some((d) => tagValueProblem(d, values[d.key] ?? []))) return;
    if (changed.length === 0) {
      setNotice('Nothing changed.');
      return;
    }
    const edit = Object.fromEntries(changed.map((d) => [d.key, (values[d.key] ?? []).length > 0 ? values[d.key]! : null]));
    setBusy(true);
    setProblem(noProblem);
    try {
      const answer = await editTags(api, customer.identifier, edit, etag);
      onSaved();
      replaceCustomer(answer.body, answer.etag);
    } catch (error) {
      setProblem(memberFormProblem(error, shownFields));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Tags of ${customer.displayName}`}>
      {restricted.length > 0 ? (
        <>
          <p className="hint">Set by your partner:</p>
          <dl className="facts">
            {restricted.map((d) => (
              <div key={d.key}>
                <dt>{d.displayName}</dt>
                <dd>{(customer.tags[d.key] ?? []).join(', ')}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
      {editable.length === 0 ? <p className="empty">No tags are for customers to set.</p> : null}
      {editable.map((d) => (
        <TagValueInput
          key={d.key}
          definition={d}
          values={values[d.key] ?? []}
          onChange={(next) => { setValues({ ...values, [d.key]: next }); setNotice(null); }}
          error={(submitted && changed.includes(d) ? tagValueProblem(d, values[d.key] ?? []) : null) ?? problem.fields[`tags.${d.key}`] ?? null}
        />
      ))}
      {problem.fields.tags ? <p className="field-error">{problem.fields.tags}</p> : null}
      {notice ? <p role="status">{notice}</p> : null}
      <FormMessage problem={problem} onReload={() => { setProblem(noProblem); reloadCustomer(); }} />
      {editable.length > 0 ? <button type="submit" className="primary" disabled={busy}>Save tags</button> : null}
    </form>
  );
}
