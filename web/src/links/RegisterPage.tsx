// /register: a signed-in user registers a new customer (self-service) and becomes its customer
// admin. The identifier is checked live by the API's pattern and cannot be changed later; the
// unrestricted tags are typed inputs from the tag definitions (the mandatory ones required).
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { listTagDefinitions } from '../api/admin';
import { registerCustomer } from '../api/member';
import type { Customer, TagDefinition, TagValues } from '../api/types';
import { useApi, useUser } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { noProblem, type FormProblem } from '../problem/problem';
import { TagValueInput } from '../tags/TagValueInput';
import { tagValueProblem } from '../tags/tagValues';
import { Field } from '../ui/Field';
import { Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { memberFormProblem } from '../member/problemWords';
import { displayNameProblem, identifierProblem } from '../member/validation';
import { useDocumentTitle } from '../ui/useDocumentTitle';

/** The tags a registrant sets: unrestricted ones (restricted tags are the partner's), mandatory first. */
export function registrationTags(definitions: TagDefinition[]): TagDefinition[] {
  return definitions
    .filter((definition) => !definition.restricted)
    .sort((a, b) => Number(b.mandatory) - Number(a.mandatory) || a.displayName.localeCompare(b.displayName));
}

export function RegisterPage() {
  const api = useApi();
  const definitions = useLoad(async () => registrationTags((await listTagDefinitions(api)).body.items), [api]);
  const [registered, setRegistered] = useState<Customer | null>(null);
  useDocumentTitle(registered ? 'Registration received' : 'Register a customer');

  if (registered) return <Registered customer={registered} />;
  return (
    <section aria-labelledby="register-heading">
      <h1 id="register-heading">Register a customer</h1>
      <p>You become the new customer's admin. Your partner may verify the registration before you can start.</p>
      {definitions.result.state === 'loading' ? <Loading label="Loading the form…" /> : null}
      {definitions.result.state === 'failed' ? <ProblemText error={definitions.result.error} onRetry={definitions.reload} /> : null}
      {definitions.result.state === 'loaded' ? <RegisterForm tags={definitions.result.value} onRegistered={setRegistered} /> : null}
    </section>
  );
}

function Registered({ customer }: { customer: Customer }) {
  const user = useUser();
  const customerLink = `/my/customers/${encodeURIComponent(customer.identifier)}`;
  if (customer.status === 'PENDING_APPROVAL') {
    return (
      <section aria-labelledby="register-heading">
        <h1 id="register-heading">Your registration is being verified</h1>
        <p role="status" className="notice">
          {customer.displayName} ({customer.identifier}) is registered and awaits your partner's approval. We sent a mail
          {user?.email ? ` to ${user.email}` : ''}; you get another one once it is approved.
        </p>
        <p><Link to={customerLink}>Look at {customer.displayName}</Link></p>
      </section>
    );
  }
  return (
    <section aria-labelledby="register-heading">
      <h1 id="register-heading">{customer.displayName} is registered</h1>
      <p role="status" className="notice">You are its customer admin and can start working with it now.</p>
      <p><Link to={customerLink}>Open {customer.displayName}</Link></p>
    </section>
  );
}

const tagField = (key: string) => `tags.${key}`;

export function RegisterForm({ tags, onRegistered }: { tags: TagDefinition[]; onRegistered: (customer: Customer) => void }) {
  const api = useApi();
  const [identifier, setIdentifier] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [values, setValues] = useState<TagValues>({});
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);

  const shownFields = ['identifier', 'displayName', 'tags', ...tags.map((t) => tagField(t.key))];
  const localTagError = (definition: TagDefinition) => (submitted ? tagValueProblem(definition, values[definition.key] ?? []) : null);
  const identifierError = (identifier || submitted ? identifierProblem(identifier) : null) ?? problem.fields.identifier ?? null;
  const nameError = (submitted ? displayNameProblem(displayName, 'a display name') : null) ?? problem.fields.displayName ?? null;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    const invalid =
      identifierProblem(identifier) !== null ||
      displayNameProblem(displayName) !== null ||
      tags.some((definition) => tagValueProblem(definition, values[definition.key] ?? []) !== null);
    if (invalid) return;
    setBusy(true);
    setProblem(noProblem);
    try {
      const chosen = Object.fromEntries(Object.entries(values).filter(([, v]) => v.length > 0));
      const { body } = await registerCustomer(api, {
        identifier,
        displayName: displayName.trim(),
        tags: Object.keys(chosen).length > 0 ? chosen : null,
      });
      onRegistered(body);
    } catch (error) {
      setProblem(memberFormProblem(error, shownFields, { 'identifier-taken': 'identifier' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="register-heading">
      <Field
        label="Identifier"
        error={identifierError}
        hint={
          <>
            1 to 32 lowercase letters, digits or hyphens, starting and ending with a letter or digit.{' '}
            <strong>The identifier cannot be changed later: choose it carefully.</strong>
          </>
        }
      >
        {(control) => (
          <input
            {...control}
            value={identifier}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => { setIdentifier(e.target.value); setProblem(noProblem); }}
          />
        )}
      </Field>
      <Field label="Display name" error={nameError}>
        {(control) => (
          <input {...control} value={displayName} autoComplete="organization" onChange={(e) => { setDisplayName(e.target.value); setProblem(noProblem); }} />
        )}
      </Field>
      {tags.length > 0 ? (
        <fieldset>
          <legend>Tags</legend>
          {tags.map((definition) => (
            <TagValueInput
              key={definition.key}
              definition={definition}
              values={values[definition.key] ?? []}
              onChange={(next) => { setValues((v) => ({ ...v, [definition.key]: next })); setProblem(noProblem); }}
              error={localTagError(definition) ?? problem.fields[tagField(definition.key)] ?? null}
            />
          ))}
          {problem.fields.tags ? <p className="field-error">{problem.fields.tags}</p> : null}
        </fieldset>
      ) : null}
      <FormMessage problem={problem} />
      <button type="submit" className="primary" disabled={busy}>Register customer</button>
    </form>
  );
}
