import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { createCustomer, listTagDefinitions, type CreateCustomerRequest } from '../api/admin';
import type { CustomerRole, TagDefinition } from '../api/types';
import { useApi, useUser } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { useFormProblem } from '../problem/useFormProblem';
import { TagValueInput } from '../tags/TagValueInput';
import { tagValueProblem } from '../tags/tagValues';
import { Field } from '../ui/Field';
import { Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { useDocumentTitle } from '../ui/useDocumentTitle';
import { IDENTIFIER_RULE, identifierProblem } from './identifier';
import { ROLE_LABEL } from './labels';

interface InvitedUserRow {
  email: string;
  role: CustomerRole;
}

const FORM_FIELDS = ['identifier', 'displayName', 'projectQuota', 'partnerId', 'users', 'tags'];
const FIELD_OF_PROBLEM_TYPE = {
  'identifier-taken': { field: 'identifier', message: 'A customer with this identifier exists already. Please choose another one.' },
};

/** "+ Create Customer": an ACTIVE customer, users to invite, and tags (restricted ones too). */
export function CreateCustomerPage() {
  useDocumentTitle('Create Customer');
  const api = useApi();
  const definitions = useLoad(() => listTagDefinitions(api).then((r) => r.body.items), [api]);
  if (definitions.result.state === 'loading') return <Loading label="Loading the form…" />;
  if (definitions.result.state === 'failed') return <ProblemText error={definitions.result.error} onRetry={definitions.reload} />;
  return <CreateCustomerForm definitions={definitions.result.value} />;
}

export function CreateCustomerForm({ definitions }: { definitions: TagDefinition[] }) {
  const api = useApi();
  const user = useUser();
  const navigate = useNavigate();
  const isPlatformAdmin = user?.adminRole === 'PLATFORM_ADMIN';

  const [identifier, setIdentifier] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [projectQuota, setProjectQuota] = useState('');
  const [partnerId, setPartnerId] = useState('');
  const [users, setUsers] = useState<InvitedUserRow[]>([]);
  const [tags, setTags] = useState<Record<string, string[]>>({});
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);

  const { problem, report, clear, fieldError } = useFormProblem(
    (field) =>
      FORM_FIELDS.includes(field) ||
      /^users\[\d+\]\.(email|role)$/.test(field) ||
      (field.startsWith('tags.') && definitions.some((d) => `tags.${d.key}` === field)),
    FIELD_OF_PROBLEM_TYPE,
  );

  // Checks made here as the user types; the API checks all of them again.
  const identifierLive = identifierProblem(identifier);
  const localErrors: Record<string, string> = {};
  if (identifierLive) localErrors.identifier = identifierLive;
  if (submitted && identifier === '') localErrors.identifier = `Enter an identifier. ${IDENTIFIER_RULE}`;
  if (submitted && displayName.trim() === '') localErrors.displayName = 'Enter a name.';
  if (submitted && projectQuota !== '' && !/^\d+$/.test(projectQuota.trim())) localErrors.projectQuota = 'Enter a whole number from 0 to 10000.';
  if (submitted) {
    users.forEach((u, i) => {
      if (u.email.trim() === '') localErrors[`users[${i}].email`] = 'Enter an e-mail address, or remove this user.';
    });
    for (const definition of definitions) {
      const message = tagValueProblem(definition, tags[definition.key] ?? []);
      if (message) localErrors[`tags.${definition.key}`] = message;
    }
  }
  const errorOf = (field: string) => localErrors[field] ?? fieldError(field);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    clear();
    // Recomputed here: `localErrors` above still reflects the render before `submitted` was set.
    const blocking =
      identifier === '' || identifierProblem(identifier) || displayName.trim() === '' ||
      (projectQuota !== '' && !/^\d+$/.test(projectQuota.trim())) ||
      users.some((u) => u.email.trim() === '') ||
      definitions.some((d) => tagValueProblem(d, tags[d.key] ?? []));
    if (blocking) return;
    const setTags = Object.fromEntries(Object.entries(tags).filter(([, values]) => values.length > 0));
    const body: CreateCustomerRequest = {
      identifier,
      displayName: displayName.trim(),
      projectQuota: projectQuota.trim() === '' ? null : Number(projectQuota.trim()),
      users: users.length > 0 ? users.map((u) => ({ email: u.email.trim(), role: u.role })) : null,
      tags: Object.keys(setTags).length > 0 ? setTags : null,
      partnerId: isPlatformAdmin && partnerId.trim() ? partnerId.trim() : null,
    };
    setBusy(true);
    try {
      const created = await createCustomer(api, body);
      navigate(`/admin/customers/${encodeURIComponent(created.body.identifier)}`, {
        state: { notice: `Customer ${created.body.displayName} (${created.body.identifier}) was created.` },
      });
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <p><Link to="/admin/customers">Back to customers</Link></p>
      <h1>Create Customer</h1>
      <form noValidate onSubmit={submit} aria-label="Create Customer">
        <Field label="Name" error={errorOf('displayName')}>
          {(control) => (
            <input {...control} value={displayName} maxLength={128} autoComplete="off" onChange={(e) => setDisplayName(e.target.value)} />
          )}
        </Field>
        <Field
          label="Identifier"
          hint={<><strong className="warning">Attention: the identifier cannot be changed later. Please choose it carefully.</strong> {IDENTIFIER_RULE}</>}
          error={errorOf('identifier')}
        >
          {(control) => (
            <input {...control} value={identifier} autoComplete="off" spellCheck={false} onChange={(e) => setIdentifier(e.target.value)} />
          )}
        </Field>
        <Field label="Project quota (optional)" hint="Leave empty for the installation's default." error={errorOf('projectQuota')}>
          {(control) => (
            <input {...control} inputMode="numeric" value={projectQuota} onChange={(e) => setProjectQuota(e.target.value)} />
          )}
        </Field>
        {isPlatformAdmin ? (
          <Field label="Partner (optional)" hint="The managing partner's id. Leave empty for your own or the default partner." error={errorOf('partnerId')}>
            {(control) => <input {...control} value={partnerId} autoComplete="off" onChange={(e) => setPartnerId(e.target.value)} />}
          </Field>
        ) : null}

        <fieldset>
          <legend>Users to invite</legend>
          {users.length === 0 ? <p className="hint">Nobody is invited yet.</p> : null}
          {users.map((row, index) => (
            <div className="row" key={index}>
              <Field label={`E-mail of user ${index + 1}`} error={errorOf(`users[${index}].email`)}>
                {(control) => (
                  <input {...control} type="email" autoComplete="off" value={row.email}
                    onChange={(e) => setUsers(users.map((u, i) => (i === index ? { ...u, email: e.target.value } : u)))} />
                )}
              </Field>
              <Field label={`Role of user ${index + 1}`} error={errorOf(`users[${index}].role`)}>
                {(control) => (
                  <select {...control} value={row.role}
                    onChange={(e) => setUsers(users.map((u, i) => (i === index ? { ...u, role: e.target.value as CustomerRole } : u)))}>
                    <option value="CUSTOMER_ADMIN">{ROLE_LABEL.CUSTOMER_ADMIN}</option>
                    <option value="CUSTOMER_EMPLOYEE">{ROLE_LABEL.CUSTOMER_EMPLOYEE}</option>
                  </select>
                )}
              </Field>
              <button type="button" onClick={() => setUsers(users.filter((_, i) => i !== index))}>
                Remove user {index + 1}
              </button>
            </div>
          ))}
          {errorOf('users') ? <p className="field-error">{errorOf('users')}</p> : null}
          <button type="button" disabled={users.length >= 20} onClick={() => setUsers([...users, { email: '', role: 'CUSTOMER_ADMIN' }])}>
            Add user
          </button>
        </fieldset>

        {definitions.length > 0 ? (
          <fieldset>
            <legend>Tags</legend>
            {definitions.map((definition) => (
              <TagValueInput
                key={definition.key}
                definition={definition}
                values={tags[definition.key] ?? []}
                onChange={(values) => setTags({ ...tags, [definition.key]: values })}
                error={errorOf(`tags.${definition.key}`)}
              />
            ))}
            {errorOf('tags') ? <p className="field-error">{errorOf('tags')}</p> : null}
          </fieldset>
        ) : null}

        <FormMessage problem={problem} />
        {submitted && Object.keys(localErrors).length > 0 && !problem.message ? (
          <p role="alert" className="form-message">Please correct the marked fields.</p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create Customer'}
        </button>
      </form>
    </>
  );
}
