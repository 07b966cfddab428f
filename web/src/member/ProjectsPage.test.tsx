import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ProjectPage } from './ProjectPage';
import { ProjectsPage } from './ProjectsPage';
import { acme, page, problem, renderInCustomer, scriptedApi } from './test/render';

const lake = { customerId: 'acme', identifier: 'lake', displayName: 'Data Lake', createdAt: '2026-01-15T10:30:00Z', createdBy: 'pat', version: 1 };
const tenant = { tenantId: '019bc190-05c0-7d44-8e5f-60718293a4b0', customerId: 'acme', projectId: 'lake', platform: 'aws', createdAt: '2026-01-15T10:30:00Z', createdBy: 'pat', version: 1 };
const platformsProblem = problem(400, 'validation-failed', 'invalid', { platform: 'must be one of the configured platforms: aws, azure, gcp' });

describe('projects and quota', () => {
  it('shows the quota as "3 of 5 projects" and lets an admin create a project', async () => {
    const scripted = scriptedApi({
      'GET /customers/acme/projects': page([lake]),
      'POST /customers/acme/projects': { status: 201, body: { ...lake, identifier: 'web', displayName: 'Web' } },
    });
    renderInCustomer(scripted.api, { path: '/p', route: '/p', element: <ProjectsPage /> });
    expect(await screen.findByText('3 of 5 projects')).toBeTruthy();
    expect(await screen.findByRole('link', { name: 'Data Lake' })).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Project identifier'), 'web');
    await userEvent.type(screen.getByLabelText('Project name'), 'Web');
    await userEvent.click(screen.getByRole('button', { name: 'Create project' }));
    expect(await screen.findByText('Project Web was created.')).toBeTruthy();
    expect(scripted.sent.find((r) => r.method === 'POST')?.body).toEqual({ identifier: 'web', displayName: 'Web' });
  });

  it('checks the project identifier while it is typed', async () => {
    const scripted = scriptedApi({ 'GET /customers/acme/projects': page([]) });
    renderInCustomer(scripted.api, { path: '/p', route: '/p', element: <ProjectsPage /> });
    await userEvent.type(await screen.findByLabelText('Project identifier'), 'Web');
    expect(screen.getByText('Use lowercase letters only.')).toBeTruthy();
    expect(screen.getByText('No projects yet.')).toBeTruthy();
  });

  it('disables creation at the quota and says why', async () => {
    const scripted = scriptedApi({ 'GET /customers/acme/projects': page([lake]) });
    renderInCustomer(scripted.api, { customer: { ...acme, projectCount: 5 }, path: '/p', route: '/p', element: <ProjectsPage /> });
    const button = await screen.findByRole('button', { name: 'Create project' });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/The project quota is reached \(5 of 5 projects\)/)).toBeTruthy();
    expect(button.getAttribute('aria-describedby')).toBe('create-project-blocked');
  });

  it('says a 409 quota-exceeded (the quota was lowered meanwhile) in words', async () => {
    const scripted = scriptedApi({ 'GET /customers/acme/projects': page([]), 'POST /customers/acme/projects': problem(409, 'quota-exceeded') });
    renderInCustomer(scripted.api, { path: '/p', route: '/p', element: <ProjectsPage /> });
    await userEvent.type(await screen.findByLabelText('Project identifier'), 'web');
    await userEvent.type(screen.getByLabelText('Project name'), 'Web');
    await userEvent.click(screen.getByRole('button', { name: 'Create project' }));
    expect((await screen.findByRole('alert')).textContent).toContain('as many projects as its quota allows');
  });

  it('shows a customer employee no creation form', async () => {
    const scripted = scriptedApi({ 'GET /customers/acme/projects': page([lake]) });
    renderInCustomer(scripted.api, { role: 'CUSTOMER_EMPLOYEE', path: '/p', route: '/p', element: <ProjectsPage /> });
    await screen.findByRole('link', { name: 'Data Lake' });
    expect(screen.queryByRole('button', { name: 'Create project' })).toBeNull();
  });
});

describe('tenants of a project', () => {
  const renderProject = (answers: Parameters<typeof scriptedApi>[0], customer = acme) => {
    const scripted = scriptedApi({
      'GET /customers/acme/projects/lake': { status: 200, body: { ...lake, tenants: [tenant] } },
      'POST /customers/acme/projects/lake/tenants': platformsProblem,
      ...answers,
    });
    renderInCustomer(scripted.api, { customer, path: '/p/lake', route: '/p/:projectId', element: <ProjectPage /> });
    return scripted;
  };

  it('disables tenant access of a disabled customer and explains why', async () => {
    renderProject({}, { ...acme, status: 'DISABLED' });
    const open = await screen.findByRole('button', { name: 'Open aws tenant' });
    expect((open as HTMLButtonElement).disabled).toBe(true);
    expect(document.getElementById(open.getAttribute('aria-describedby')!)?.textContent).toBe(
      'Tenant access is closed because Acme is disabled by its partner. It opens again as soon as the customer is enabled.',
    );
  });

  it('says a 403 customer-disabled (disabled since the page was read) in words', async () => {
    renderProject({ 'POST /customers/acme/projects/lake/tenants/019bc190-05c0-7d44-8e5f-60718293a4b0/access': problem(403, 'customer-disabled') });
    await userEvent.click(await screen.findByRole('button', { name: 'Open aws tenant' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'This customer is disabled: its tenants cannot be opened and nothing new can be made until the partner enables it again.',
    );
  });

  it('creates a tenant on the platform chosen and lists it at once', async () => {
    const gcp = { ...tenant, tenantId: '019bc190-05c0-7d44-8e5f-60718293a4b1', platform: 'gcp' };
    const { sent } = renderProject({ 'POST /customers/acme/projects/lake/tenants': [platformsProblem, { status: 201, body: gcp }] });
    await userEvent.selectOptions(await screen.findByLabelText('Platform'), 'gcp');
    await userEvent.click(screen.getByRole('button', { name: 'Create tenant' }));
    expect(await screen.findByText('The tenant on gcp was created.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Open gcp tenant' })).toBeTruthy();
    expect(within(screen.getByLabelText('Platform')).getAllByRole('option').map((o) => o.textContent)).toEqual(['azure']);
    expect(sent.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ platform: '' }, { platform: 'gcp' }]);
  });

  it('offers the configured platforms the project has no tenant on', async () => {
    const { sent } = renderProject({});
    const platform = await screen.findByLabelText('Platform');
    const offered = within(platform).getAllByRole('option').map((o) => o.textContent);
    expect(offered).toEqual(['azure', 'gcp']);
    // The platforms were learnt from a refused creation with an empty name (nothing is written).
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({ platform: '' });
  });
});
