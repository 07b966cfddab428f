// A customer's service users (customer admins): list, create (the secret is shown this once, with a
// copy button), delete.
import { useState, type FormEvent } from 'react';
import { createServiceUser, deleteServiceUser, listServiceUsers, readAll, type ServiceUser, type ServiceUserWithSecret } from '../api/member';
import { useApi } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { noProblem, type FormProblem } from '../problem/problem';
import { Field } from '../ui/Field';
import { EmptyState, Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { notActiveReason, useCustomerView } from './CustomerContext';
import { useKept } from './useKept';
import { formatDateTime } from './format';
import { describeProblem, memberFormProblem } from './problemWords';
import { displayNameProblem } from './validation';
import { useDocumentTitle } from '../ui/useDocumentTitle';

export function ServiceUsersPage() {
  const { customer, isAdmin } = useCustomerView();
  useDocumentTitle(`Service users · ${customer.displayName}`);
  const api = useApi();
  const serviceUsers = useLoad(
    () => readAll((cursor) => listServiceUsers(api, customer.identifier, cursor)),
    [api, customer.identifier],
  );
  const serviceUsersList = useKept(serviceUsers.result);
  const [secretShown, setSecretShown] = useState<ServiceUserWithSecret | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<{ id: string; error: unknown } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (!isAdmin) {
    return <p>Only the customer's admins manage its service users.</p>;
  }

  const onDelete = async (serviceUser: ServiceUser) => {
    setDeleteError(null);
    try {
      await deleteServiceUser(api, customer.identifier, serviceUser.serviceUserId);
      setConfirming(null);
      setDone(`Service user ${serviceUser.name} was deleted.`);
      serviceUsers.reload();
    } catch (error) {
      setDeleteError({ id: serviceUser.serviceUserId, error });
    }
  };

  return (
    <section aria-labelledby="service-users-heading">
      <h2 id="service-users-heading">Service users</h2>
      {secretShown ? <SecretOnce serviceUser={secretShown} onDone={() => setSecretShown(null)} /> : null}
      {done ? <p role="status" className="notice">{done}</p> : null}
      {serviceUsersList === null && serviceUsers.result.state === 'loading' ? <Loading label="Loading the service users…" /> : null}
      {serviceUsers.result.state === 'failed' ? <ProblemText error={serviceUsers.result.error} onRetry={serviceUsers.reload} /> : null}
      {serviceUsersList !== null && serviceUsersList.length === 0 ? (
        <EmptyState>No service users yet.</EmptyState>
      ) : null}
      {serviceUsersList !== null && serviceUsersList.length > 0 ? (
        <table>
          <caption className="visually-hidden">Service users of {customer.displayName}</caption>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {serviceUsersList.map((serviceUser) => (
              <tr key={serviceUser.serviceUserId}>
                <td>{serviceUser.name}</td>
                <td>{formatDateTime(serviceUser.createdAt)}</td>
                <td>
                  {confirming === serviceUser.serviceUserId ? (
                    <div role="group" aria-label={`Delete ${serviceUser.name}`}>
                      <p>Delete {serviceUser.name}? Whatever uses its secret stops working.</p>
                      <div className="actions">
                        <button type="button" className="danger" onClick={() => void onDelete(serviceUser)}>
                          Yes, delete {serviceUser.name}
                        </button>
                        {/* The focus goes to the harmless choice, so a stray Enter deletes nothing. */}
                        <button type="button" autoFocus onClick={() => setConfirming(null)}>Keep {serviceUser.name}</button>
                      </div>
                    </div>
                  ) : (
                    <button type="button" className="danger" onClick={() => { setConfirming(serviceUser.serviceUserId); setDone(null); }}>
                      Delete {serviceUser.name}
                    </button>
                  )}
                  {deleteError?.id === serviceUser.serviceUserId ? (
                    <p role="alert" className="field-error">{describeProblem(deleteError.error)}</p>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <CreateServiceUserForm
        customerId={customer.identifier}
        blocked={notActiveReason(customer)}
        onCreated={(created) => {
          setSecretShown(created);
          setDone(null);
          serviceUsers.reload();
        }}
      />
    </section>
  );
}

export function CreateServiceUserForm({
  customerId, blocked, onCreated,
}: { customerId: string; blocked: string | null; onCreated: (created: ServiceUserWithSecret) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const nameError = (submitted || name ? displayNameProblem(name, 'a name') : null) ?? problem.fields.name ?? null;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (displayNameProblem(name)) return;
    setBusy(true);
    setProblem(noProblem);
    try {
      const { body } = await createServiceUser(api, customerId, name.trim());
      setName('');
      setSubmitted(false);
      onCreated(body);
    } catch (error) {
      setProblem(memberFormProblem(error, ['name']));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="create-service-user-heading">
      <h3 id="create-service-user-heading">Create a service user</h3>
      <Field label="Service user name" error={nameError} hint="For example the pipeline or tool that will use it.">
        {(control) => (
          <input {...control} value={name} autoComplete="off" onChange={(e) => { setName(e.target.value); setProblem(noProblem); }} />
        )}
      </Field>
      <FormMessage problem={problem} />
      {blocked ? <p id="create-service-user-blocked" className="warning">{blocked}</p> : null}
      <button
        type="submit"
        className="primary"
        disabled={busy || blocked !== null}
        aria-describedby={blocked ? 'create-service-user-blocked' : undefined}
      >
        Create service user
      </button>
    </form>
  );
}

/** The new service user's secret, this once: the service keeps only its hash. */
export function SecretOnce({ serviceUser, onDone }: { serviceUser: ServiceUserWithSecret; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(serviceUser.secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <section aria-labelledby="secret-heading" className="notice secret-once">
      <h3 id="secret-heading">Secret of {serviceUser.name}</h3>
      <p className="warning">
        <strong>This secret will not be shown again.</strong> Copy it now and keep it somewhere safe: if it is lost,
        delete the service user and create a new one.
      </p>
      <p>
        <label htmlFor="service-user-secret">Secret</label>{' '}
        {/* Focused and selected at once: the secret is what the user came for, ready to copy. */}
        <input id="service-user-secret" autoFocus readOnly value={serviceUser.secret} size={48} onFocus={(e) => e.target.select()} />
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void copy()}>Copy secret</button>
        <button type="button" onClick={onDone}>I have stored the secret</button>
      </div>
      <p role="status">
        {copied === 'yes' ? 'The secret is copied to the clipboard.' : null}
        {copied === 'failed' ? 'The secret could not be copied: select it and copy it by hand.' : null}
      </p>
    </section>
  );
}
