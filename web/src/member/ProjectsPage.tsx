// A customer's projects with its quota ("3 of 5 projects"), and creating one (customer admins).
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { createProject, listProjects, readAll } from '../api/member';
import type { Customer } from '../api/types';
import { useApi } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { noProblem, type FormProblem } from '../problem/problem';
import { Field } from '../ui/Field';
import { EmptyState, Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { notActiveReason, useCustomerView } from './CustomerContext';
import { useKept } from './useKept';
import { formatDateTime, quotaText } from './format';
import { memberFormProblem } from './problemWords';
import { displayNameProblem, identifierProblem } from './validation';
import { useDocumentTitle } from '../ui/useDocumentTitle';

/** Why no project can be created now, or null when one can. */
export function projectCreationBlocked(customer: Customer): string | null {
  const reason = notActiveReason(customer);
  if (reason) return reason;
  if (customer.projectCount >= customer.projectQuota) {
    return `The project quota is reached (${quotaText(customer.projectCount, customer.projectQuota)}). Ask your partner to raise the quota to create more.`;
  }
  return null;
}

export function ProjectsPage() {
  const { customer, isAdmin, reloadCustomer } = useCustomerView();
  useDocumentTitle(`Projects · ${customer.displayName}`);
  const api = useApi();
  const projects = useLoad(() => readAll((cursor) => listProjects(api, customer.identifier, cursor)), [api, customer.identifier]);
  const projectsList = useKept(projects.result);
  const [created, setCreated] = useState<string | null>(null);

  return (
    <section aria-labelledby="projects-heading">
      <h2 id="projects-heading">Projects</h2>
      <p id="project-quota">
        <strong>{quotaText(customer.projectCount, customer.projectQuota)}</strong> (the customer's project quota)
      </p>
      {created ? <p role="status" className="notice">Project {created} was created.</p> : null}
      {projectsList === null && projects.result.state === 'loading' ? <Loading label="Loading the projects…" /> : null}
      {projects.result.state === 'failed' ? <ProblemText error={projects.result.error} onRetry={projects.reload} /> : null}
      {projectsList !== null && projectsList.length === 0 ? <EmptyState>No projects yet.</EmptyState> : null}
      {projectsList !== null && projectsList.length > 0 ? (
        <table>
          <caption className="visually-hidden">Projects of {customer.displayName}</caption>
          <thead>
            <tr><th scope="col">Project</th><th scope="col">Identifier</th><th scope="col">Created</th></tr>
          </thead>
          <tbody>
            {projectsList.map((project) => (
              <tr key={project.identifier}>
                <td>
                  <Link to={encodeURIComponent(project.identifier)}>{project.displayName}</Link>
                </td>
                <td><code>{project.identifier}</code></td>
                <td>{formatDateTime(project.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {isAdmin ? (
        <CreateProjectForm
          customer={customer}
          onCreated={(name) => {
            setCreated(name);
            projects.reload();
            reloadCustomer();
          }}
        />
      ) : null}
    </section>
  );
}

const PROJECT_FIELDS = ['identifier', 'displayName'] as const;

export function CreateProjectForm({ customer, onCreated }: { customer: Customer; onCreated: (displayName: string) => void }) {
  const api = useApi();
  const [identifier, setIdentifier] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const blocked = projectCreationBlocked(customer);

  // The identifier is checked as it is typed; the name once the form was sent.
  const identifierError = (identifier || submitted ? identifierProblem(identifier) : null) ?? problem.fields.identifier ?? null;
  const nameError = (submitted ? displayNameProblem(displayName, 'a display name') : null) ?? problem.fields.displayName ?? null;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (identifierProblem(identifier) || displayNameProblem(displayName)) return;
    setBusy(true);
    setProblem(noProblem);
    try {
      const name = displayName.trim();
      await createProject(api, customer.identifier, { identifier, displayName: name });
      setIdentifier('');
      setDisplayName('');
      setSubmitted(false);
      onCreated(name);
    } catch (error) {
      setProblem(memberFormProblem(error, PROJECT_FIELDS, { 'project-identifier-taken': 'identifier' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="create-project-heading">
      <h3 id="create-project-heading">Create a project</h3>
      <Field
        label="Project identifier"
        error={identifierError}
        hint="1 to 32 lowercase letters, digits or hyphens. The identifier cannot be changed later."
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
      <Field label="Project name" error={nameError}>
        {(control) => (
          <input {...control} value={displayName} onChange={(e) => { setDisplayName(e.target.value); setProblem(noProblem); }} />
        )}
      </Field>
      <FormMessage problem={problem} />
      {blocked ? <p id="create-project-blocked" className="warning">{blocked}</p> : null}
      <button
        type="submit"
        className="primary"
        disabled={busy || blocked !== null}
        aria-describedby={blocked ? 'create-project-blocked' : undefined}
      >
        Create project
      </button>
    </form>
  );
}
