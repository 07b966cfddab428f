// One project with its tenants: open a tenant's console (members), create a tenant on a configured
// platform (customer admins).
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ApiError, type ApiClient } from '../api/client';
import { createTenant, getProject, openTenantAccess, type Tenant } from '../api/member';
import type { Customer } from '../api/types';
import { useApi } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { noProblem, type FormProblem } from '../problem/problem';
import { Field } from '../ui/Field';
import { EmptyState, Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { notActiveReason, useCustomerView } from './CustomerContext';
import { formatDateTime } from './format';
import { describeProblem, memberFormProblem } from './problemWords';
import { identifierProblem, platformsFromMessage } from './validation';
import { useDocumentTitle } from '../ui/useDocumentTitle';

/** Why a tenant of the customer cannot be opened now, or null when it can. */
export function tenantAccessBlocked(customer: Customer): string | null {
  if (customer.status === 'DISABLED') {
    return `Tenant access is closed because ${customer.displayName} is disabled by its partner. It opens again as soon as the customer is enabled.`;
  }
  return notActiveReason(customer);
}

/**
 * The configured platforms. The API lists them only in the message of a 400 on `platform`, and it
 * checks the body before anything else: a creation with an empty platform is refused with that
 * message and writes nothing. An empty list means "not known": the form then takes typed names.
 */
export async function learnPlatforms(api: ApiClient, customerId: string, projectId: string): Promise<string[]> {
  const known = platformsLearnt.get(api);
  if (known) return known;
  try {
    await createTenant(api, customerId, projectId, '');
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      const names = platformsFromMessage(error.problem.errors?.platform);
      if (names.length > 0) platformsLearnt.set(api, names);
      return names;
    }
  }
  return [];
}

/** The platforms are the installation's, the same for every project: asked once per API client. */
const platformsLearnt = new WeakMap<ApiClient, string[]>();

export function ProjectPage() {
  const { projectId = '' } = useParams();
  const { customer, isAdmin } = useCustomerView();
  const api = useApi();
  const project = useLoad(async () => (await getProject(api, customer.identifier, projectId)).body, [api, customer.identifier, projectId]);
  useDocumentTitle(`${project.result.state === 'loaded' ? project.result.value.displayName : `Project ${projectId}`} · ${customer.displayName}`);

  return (
    <section aria-labelledby="project-heading">
      <p><Link to=".." relative="path">Back to the projects</Link></p>
      {project.result.state === 'loading' ? <Loading label="Loading the project…" /> : null}
      {project.result.state === 'failed' ? (
        <>
          <h2 id="project-heading">Project {projectId}</h2>
          <ProblemText error={project.result.error} onRetry={project.reload} />
        </>
      ) : null}
      {project.result.state === 'loaded' ? (
        <>
          <h2 id="project-heading">{project.result.value.displayName}</h2>
          <p>Identifier: <code>{project.result.value.identifier}</code></p>
          <TenantsTable customer={customer} projectId={projectId} tenants={project.result.value.tenants} />
          {isAdmin ? (
            <CreateTenantForm
              customer={customer}
              projectId={projectId}
              taken={project.result.value.tenants.map((t) => t.platform)}
              onCreated={(tenant) => {
                // The answer is the new tenant: added in place, the form (and the focus) stay.
                const shown = project.result;
                if (shown.state === 'loaded') {
                  project.setResult({ state: 'loaded', value: { ...shown.value, tenants: [...shown.value.tenants, tenant] } });
                }
              }}
            />
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function TenantsTable({ customer, projectId, tenants }: { customer: Customer; projectId: string; tenants: Tenant[] }) {
  const api = useApi();
  const blocked = tenantAccessBlocked(customer);
  const [opening, setOpening] = useState<string | null>(null);
  const [opened, setOpened] = useState<{ tenantId: string; url: string } | null>(null);
  const [failure, setFailure] = useState<{ tenantId: string; error: unknown } | null>(null);

  const open = async (tenant: Tenant) => {
    setOpening(tenant.tenantId);
    setFailure(null);
    setOpened(null);
    try {
      const { body } = await openTenantAccess(api, customer.identifier, projectId, tenant.tenantId);
      setOpened({ tenantId: tenant.tenantId, url: body.url });
      // A new tab, without giving the console a handle on this page. Popup blockers may stop it
      // after the request's wait: the link below stays as the way there.
      window.open(body.url, '_blank', 'noopener,noreferrer');
    } catch (error) {
      setFailure({ tenantId: tenant.tenantId, error });
    } finally {
      setOpening(null);
    }
  };

  return (
    <>
      <h3>Tenants</h3>
      {blocked ? <p id="tenant-access-blocked" className="form-message">{blocked}</p> : null}
      {tenants.length === 0 ? <EmptyState>This project has no tenants yet.</EmptyState> : (
        <table>
          <caption className="visually-hidden">Tenants of the project</caption>
          <thead>
            <tr><th scope="col">Platform</th><th scope="col">Tenant id</th><th scope="col">Created</th><th scope="col">Access</th></tr>
          </thead>
          <tbody>
            {tenants.map((tenant) => (
              <tr key={tenant.tenantId}>
                <td>{tenant.platform}</td>
                <td><code>{tenant.tenantId}</code></td>
                <td>{formatDateTime(tenant.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => void open(tenant)}
                    disabled={blocked !== null || opening === tenant.tenantId}
                    aria-describedby={blocked ? 'tenant-access-blocked' : undefined}
                  >
                    Open {tenant.platform} tenant
                  </button>
                  {opened?.tenantId === tenant.tenantId ? (
                    <p role="status">
                      <a href={opened.url} target="_blank" rel="noopener noreferrer">Go to the {tenant.platform} console</a>
                    </p>
                  ) : null}
                  {failure?.tenantId === tenant.tenantId ? (
                    <p role="alert" className="field-error">{describeProblem(failure.error)}</p>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function CreateTenantForm({
  customer, projectId, taken, onCreated,
}: { customer: Customer; projectId: string; taken: string[]; onCreated: (tenant: Tenant) => void }) {
  const api = useApi();
  const [platforms, setPlatforms] = useState<string[] | null>(null);
  const [platform, setPlatform] = useState('');
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const blocked = notActiveReason(customer);

  useEffect(() => {
    let current = true;
    learnPlatforms(api, customer.identifier, projectId).then((names) => {
      if (current) setPlatforms(names);
    });
    return () => {
      current = false;
    };
  }, [api, customer.identifier, projectId]);

  const free = (platforms ?? []).filter((name) => !taken.includes(name));
  // Offered platforms: the one picked while it is still free, else the first free one.
  const chosen = free.length > 0 && !free.includes(platform) ? free[0]! : platform;

  const typedError = platforms && platforms.length === 0 && chosen ? identifierProblem(chosen) : null;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen || typedError) return;
    setBusy(true);
    setProblem(noProblem);
    setCreated(null);
    try {
      const { body } = await createTenant(api, customer.identifier, projectId, chosen);
      setCreated(chosen);
      onCreated(body);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        const learned = platformsFromMessage(error.problem.errors?.platform);
        if (learned.length > 0) {
          platformsLearnt.set(api, learned);
          setPlatforms(learned);
        }
      }
      setProblem(memberFormProblem(error, ['platform'], { 'tenant-exists': 'platform' }));
    } finally {
      setBusy(false);
    }
  };

  if (platforms === null) return <Loading label="Loading the platforms…" />;
  if (platforms.length > 0 && free.length === 0) {
    return (
      <>
        {created ? <p role="status" className="notice">The tenant on {created} was created.</p> : null}
        <p className="hint">The project has a tenant on every platform offered.</p>
      </>
    );
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="create-tenant-heading">
      <h3 id="create-tenant-heading">Create a tenant</h3>
      {created ? <p role="status" className="notice">The tenant on {created} was created.</p> : null}
      <Field label="Platform" error={typedError ?? problem.fields.platform ?? null}>
        {(control) =>
          platforms.length > 0 ? (
            <select {...control} value={chosen} onChange={(e) => { setPlatform(e.target.value); setProblem(noProblem); }}>
              {free.map((name) => <option key={name} value={name}>{name}</option>)}
            </select>
          ) : (
            <input {...control} value={platform} autoComplete="off" onChange={(e) => { setPlatform(e.target.value); setProblem(noProblem); }} />
          )
        }
      </Field>
      <FormMessage problem={problem} />
      {blocked ? <p id="create-tenant-blocked" className="warning">{blocked}</p> : null}
      <button
        type="submit"
        className="primary"
        disabled={busy || blocked !== null || !chosen}
        aria-describedby={blocked ? 'create-tenant-blocked' : undefined}
      >
        Create tenant
      </button>
    </form>
  );
}
