import { useState, type FormEvent } from 'react';
import { editTags, listTagDefinitions } from '../api/admin';
import type { TagDefinition } from '../api/types';
import { useApi } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { useFormProblem } from '../problem/useFormProblem';
import { TagValueInput } from '../tags/TagValueInput';
import { tagValueProblem } from '../tags/tagValues';
import { Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { useCustomer } from './CustomerPage';

export function TagsSection() {
  const api = useApi();
  const definitions = useLoad(() => listTagDefinitions(api).then((r) => r.body.items), [api]);
  const { customer } = useCustomer();
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <section aria-labelledby="tags-heading">
      <h2 id="tags-heading">Tags of {customer.displayName}</h2>
      {definitions.result.state === 'loading' ? <Loading label="Loading tag definitions…" /> : null}
      {definitions.result.state === 'failed' ? <ProblemText error={definitions.result.error} onRetry={definitions.reload} /> : null}
      {definitions.result.state === 'loaded' ? (
        // Keyed by version: after a save or reload the inputs start again from the stored values.
        <TagsForm key={customer.version} definitions={definitions.result.value} onSaved={setSaved} />
      ) : null}
      {saved ? <p role="status" className="notice">{saved}</p> : null}
    </section>
  );
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Sends only what changed, as a merge: a key with values sets it, a key emptied sends null and
 * is removed. Values under deleted definitions can only be removed.
 */
export function TagsForm({ definitions, onSaved }: { definitions: TagDefinition[]; onSaved: (notice: string | null) => void }) {
  const api = useApi();
  const { customer, etag, replace, reload } = useCustomer();
  const [values, setValues] = useState<Record<string, string[]>>(customer.tags);
  const [removeRetired, setRemoveRetired] = useState<string[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const { problem, report, clear, fieldError } = useFormProblem((field) => field === 'tags' || field.startsWith('tags.'));

  const defined = new Set(definitions.map((d) => d.key));
  const retiredKeys = Object.keys(customer.tags).filter((key) => !defined.has(key));
  const changed = definitions.filter((d) => !same(values[d.key] ?? [], customer.tags[d.key] ?? []));
  const localError = (d: TagDefinition) =>
    submitted && changed.includes(d) ? tagValueProblem(d, values[d.key] ?? []) : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    onSaved(null);
    clear();
    if (changed.some((d) => tagValueProblem(d, values[d.key] ?? []))) return;
    const edit: Record<string, string[] | null> = {};
    for (const d of changed) {
      const next = values[d.key] ?? [];
      edit[d.key] = next.length > 0 ? next : null;
    }
    for (const key of removeRetired) edit[key] = null;
    if (Object.keys(edit).length === 0) {
      onSaved('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      const answer = await editTags(api, customer.identifier, edit, etag);
      onSaved(`The tags of ${customer.identifier} were saved.`);
      replace(answer.body, answer.etag);
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label={`Tags of ${customer.identifier}`}>
      {definitions.length === 0 ? <p className="empty">No tags are defined in this installation.</p> : null}
      {definitions.map((d) => (
        <TagValueInput
          key={d.key}
          definition={d}
          values={values[d.key] ?? []}
          onChange={(next) => setValues({ ...values, [d.key]: next })}
          error={localError(d) ?? fieldError(`tags.${d.key}`)}
        />
      ))}
      {retiredKeys.length > 0 ? (
        <fieldset>
          <legend>Tags no longer defined</legend>
          {retiredKeys.map((key) => (
            <div key={key}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={removeRetired.includes(key)}
                  onChange={(e) => setRemoveRetired(e.target.checked ? [...removeRetired, key] : removeRetired.filter((k) => k !== key))}
                />{' '}
                Remove {key} ({(customer.tags[key] ?? []).join(', ')})
              </label>
              {fieldError(`tags.${key}`) ? <p className="field-error">{fieldError(`tags.${key}`)}</p> : null}
            </div>
          ))}
        </fieldset>
      ) : null}
      {fieldError('tags') ? <p className="field-error">{fieldError('tags')}</p> : null}
      <FormMessage problem={problem} onReload={() => { clear(); reload(); }} />
      <button type="submit" className="primary" disabled={busy}>Save tags</button>
    </form>
  );
}
