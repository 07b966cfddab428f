import { useState, type FormEvent } from 'react';
import {
  createTagDefinition, deleteTagDefinition, etagOf, listTagDefinitions, replaceTagDefinition, type TagDefinitionRequest,
} from '../api/admin';
import { TAG_VALUE_TYPES, type TagDefinition, type TagValueType } from '../api/types';
import { useApi, useUser } from '../auth/AuthContext';
import { canManageTagDefinitions } from '../auth/claims';
import { FormMessage } from '../problem/FormMessage';
import { problemSentence } from '../problem/problem';
import { useFormProblem } from '../problem/useFormProblem';
import { Field } from '../ui/Field';
import { EmptyState, Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { useDocumentTitle } from '../ui/useDocumentTitle';

const TYPE_LABEL: Record<TagValueType, string> = {
  STRING: 'Text', EMAIL: 'E-mail', INTEGER: 'Whole number', BOOLEAN: 'Yes/no', SINGLE_SELECT: 'Single select', MULTI_SELECT: 'Multi select',
};
const TAG_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const hasOptions = (t: TagValueType) => t === 'SINGLE_SELECT' || t === 'MULTI_SELECT';

type Editing = { mode: 'create' } | { mode: 'edit'; definition: TagDefinition } | null;

/** The installation's tag definitions: platform and partner admins list, create, edit and delete them. */
export function TagDefinitionsPage() {
  useDocumentTitle('Tag definitions');
  const api = useApi();
  const user = useUser();
  const allowed = canManageTagDefinitions(user);
  const { result, reload } = useLoad(() => listTagDefinitions(api).then((r) => r.body.items), [api]);
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<TagDefinition | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  if (!allowed) {
    return (
      <>
        <h1>Tag definitions</h1>
        <p>Only platform and partner admins manage tag definitions.</p>
      </>
    );
  }

  const done = (message: string) => {
    setEditing(null);
    setNotice(message);
    reload();
  };

  const confirmDelete = async (definition: TagDefinition) => {
    setDeleteError(null);
    try {
      await deleteTagDefinition(api, definition.key, etagOf(definition.version));
      setDeleting(null);
      done(`The tag ${definition.key} was deleted. Its key can never be defined again.`);
    } catch (error) {
      setDeleteError(`${definition.key} could not be deleted. ${problemSentence(error)}`);
    }
  };

  return (
    <>
      <div className="page-head">
        <h1>Tag definitions</h1>
        <button type="button" className="primary" onClick={() => { setNotice(null); setEditing({ mode: 'create' }); }}>
          + Create Tag
        </button>
      </div>
      {notice ? <p role="status" className="notice">{notice}</p> : null}
      {editing ? (
        <TagDefinitionForm
          key={editing.mode === 'edit' ? `${editing.definition.key}-${editing.definition.version}` : 'new'}
          editing={editing.mode === 'edit' ? editing.definition : null}
          onDone={done}
          onCancel={() => setEditing(null)}
          onReload={() => { setEditing(null); reload(); }}
        />
      ) : null}
      {result.state === 'loading' ? <Loading label="Loading tag definitions…" /> : null}
      {result.state === 'failed' ? <ProblemText error={result.error} onRetry={reload} /> : null}
      {result.state === 'loaded' ? (
        result.value.length === 0 ? <EmptyState>No tags are defined yet.</EmptyState> : (
          <table>
            <caption className="visually-hidden">Tag definitions</caption>
            <thead>
              <tr>
                <th scope="col">Key</th><th scope="col">Name</th><th scope="col">Type</th>
                <th scope="col">Rules</th><th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {result.value.map((d) => (
                <tr key={d.key}>
                  <th scope="row">{d.key}</th>
                  <td>{d.displayName}{d.description ? <><br /><span className="hint">{d.description}</span></> : null}</td>
                  <td>{TYPE_LABEL[d.valueType]}</td>
                  <td>
                    {[d.mandatory ? 'Mandatory' : null, d.restricted ? 'Restricted' : null,
                      d.pattern ? `Pattern ${d.pattern}` : null, d.options ? `Options: ${d.options.join(', ')}` : null]
                      .filter(Boolean).join(' · ') || '—'}
                  </td>
                  <td>
                    <div className="actions">
                      <button type="button" aria-label={`Edit tag ${d.key}`} onClick={() => { setNotice(null); setEditing({ mode: 'edit', definition: d }); }}>
                        Edit
                      </button>
                      <button type="button" className="danger" aria-label={`Delete tag ${d.key}`} onClick={() => { setDeleteError(null); setDeleting(d); }}>
                        Delete
                      </button>
                    </div>
                    {deleting?.key === d.key ? (
                      <div role="group" aria-label={`Confirm deleting ${d.key}`}>
                        <p>Delete {d.key}? Customers keep their values, but the key can never be defined again.</p>
                        <button type="button" className="danger" autoFocus onClick={() => void confirmDelete(d)}>Yes, delete {d.key}</button>{' '}
                        <button type="button" onClick={() => setDeleting(null)}>Cancel</button>
                        {deleteError ? <p role="alert" className="field-error">{deleteError}</p> : null}
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </>
  );
}

const DEFINITION_FIELDS = ['key', 'displayName', 'description', 'valueType', 'pattern', 'options', 'mandatory', 'restricted'];
const FIELD_OF_PROBLEM_TYPE = {
  'tag-key-taken': { field: 'key', message: 'A tag with this key exists already.' },
  'tag-key-retired': { field: 'key', message: 'This key belonged to a deleted tag and can never be defined again.' },
};

export function TagDefinitionForm({
  editing, onDone, onCancel, onReload,
}: {
  editing: TagDefinition | null;
  onDone: (notice: string) => void;
  onCancel: () => void;
  onReload: () => void;
}) {
  const api = useApi();
  const [key, setKey] = useState(editing?.key ?? '');
  const [displayName, setDisplayName] = useState(editing?.displayName ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [valueType, setValueType] = useState<TagValueType>(editing?.valueType ?? 'STRING');
  const [pattern, setPattern] = useState(editing?.pattern ?? '');
  const [options, setOptions] = useState((editing?.options ?? []).join('\n'));
  const [mandatory, setMandatory] = useState(editing?.mandatory ?? false);
  const [restricted, setRestricted] = useState(editing?.restricted ?? false);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const { problem, report, clear, fieldError } = useFormProblem(
    (f) => DEFINITION_FIELDS.includes(f) || f.startsWith('options['),
    FIELD_OF_PROBLEM_TYPE,
  );

  const optionList = options.split('\n').map((o) => o.trim()).filter(Boolean);
  const keyProblem = !editing && key !== '' && !TAG_KEY_PATTERN.test(key)
    ? 'Start with a letter; then up to 63 letters, digits, _ or -.' : null;
  const local: Record<string, string | null> = {
    key: keyProblem ?? (submitted && !editing && key === '' ? 'Enter a key.' : null),
    displayName: submitted && displayName.trim() === '' ? 'Enter a name.' : null,
    options: submitted && hasOptions(valueType) && optionList.length === 0 ? 'Enter at least one option, one per line.' : null,
  };
  const optionErrors = Object.entries(problem.fields).filter(([f]) => f.startsWith('options[')).map(([f, m]) => `${f}: ${m}`);
  const errorOf = (field: string) => local[field] ?? fieldError(field) ?? (field === 'options' && optionErrors.length ? optionErrors.join('; ') : null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    clear();
    if ((!editing && !TAG_KEY_PATTERN.test(key)) || displayName.trim() === '' || (hasOptions(valueType) && optionList.length === 0)) return;
    const body: TagDefinitionRequest = {
      displayName: displayName.trim(),
      description: description.trim() || null,
      valueType,
      pattern: valueType === 'STRING' && pattern ? pattern : null,
      options: hasOptions(valueType) ? optionList : null,
      mandatory,
      restricted,
    };
    setBusy(true);
    try {
      if (editing) {
        await replaceTagDefinition(api, editing.key, body, etagOf(editing.version));
        onDone(`The tag ${editing.key} was saved.`);
      } else {
        await createTagDefinition(api, { ...body, key });
        onDone(`The tag ${key} was created.`);
      }
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  const title = editing ? `Edit tag ${editing.key}` : 'Create tag';
  return (
    <form onSubmit={submit} noValidate aria-label={title} className="panel">
      <h2>{title}</h2>
      <Field label="Key" hint={editing ? 'The key cannot be changed.' : 'Letters, digits, _ or -, starting with a letter. It cannot be changed later.'} error={errorOf('key')}>
        {(control) => (
          // The form opens above the table: focus moves into it so keyboard users start there.
          <input {...control} value={key} readOnly={!!editing} autoFocus={!editing} autoComplete="off" onChange={(e) => setKey(e.target.value)} />
        )}
      </Field>
      <Field label="Name" error={errorOf('displayName')}>
        {(control) => <input {...control} value={displayName} maxLength={128} autoFocus={!!editing} onChange={(e) => setDisplayName(e.target.value)} />}
      </Field>
      <Field label="Description (optional)" error={errorOf('description')}>
        {(control) => <textarea {...control} rows={2} value={description} maxLength={1000} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <Field label="Value type" hint={editing ? 'The value type cannot be changed.' : undefined} error={errorOf('valueType')}>
        {(control) => (
          <select {...control} value={valueType} disabled={!!editing} onChange={(e) => setValueType(e.target.value as TagValueType)}>
            {TAG_VALUE_TYPES.map((t) => <option key={t} value={t}>{TYPE_LABEL[t]}</option>)}
          </select>
        )}
      </Field>
      {valueType === 'STRING' ? (
        <Field label="Pattern (optional)" hint="A regular expression every value must match in whole, e.g. [0-9]{4}." error={errorOf('pattern')}>
          {(control) => <input {...control} value={pattern} maxLength={256} spellCheck={false} onChange={(e) => setPattern(e.target.value)} />}
        </Field>
      ) : null}
      {hasOptions(valueType) ? (
        <Field label="Options" hint="One per line, in display order." error={errorOf('options')}>
          {(control) => <textarea {...control} rows={4} value={options} onChange={(e) => setOptions(e.target.value)} />}
        </Field>
      ) : null}
      <label className="check">
        <input type="checkbox" checked={mandatory} onChange={(e) => setMandatory(e.target.checked)} /> Mandatory: every customer must carry it
      </label>
      {errorOf('mandatory') ? <p className="field-error">{errorOf('mandatory')}</p> : null}
      <label className="check">
        <input type="checkbox" checked={restricted} onChange={(e) => setRestricted(e.target.checked)} /> Restricted: only the admin area sets it
      </label>
      {errorOf('restricted') ? <p className="field-error">{errorOf('restricted')}</p> : null}
      <FormMessage problem={problem} onReload={onReload} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{editing ? 'Save tag' : 'Create tag'}</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
