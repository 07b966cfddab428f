import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Outlet, Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { customerUser, exampleCustomer, fakeApi, renderPage } from '../../testing/render';
import type { CustomerContext } from '../../shared/customerContext';
import { ProjectPage } from './ProjectPage';

const project = {
  customerId: 'globex', identifier: 'web', displayName: 'Web shop', createdAt: '2026-01-15T10:30:00Z', createdBy: 'u-sam', version: 1,
  tenants: [{ tenantId: 't-1', customerId: 'globex', projectId: 'web', platform: 'aws', createdAt: '2026-01-15T10:30:00Z', createdBy: 'u-sam', version: 1 }],
};

function InCustomer({ context }: { context: CustomerContext }) {
  return (
    <Routes>
      <Route element={<Outlet context={context} />}>
        <Route path="/my/customers/:id/projects/:projectId" element={<ProjectPage />} />
      </Route>
    </Routes>
  );
}

describe('ProjectPage', () => {
  it('learns the platforms from GET /platforms and writes nothing by being opened', async () => {
    const { api, seen, writes } = fakeApi([
      ['GET /customers/globex/projects/web', { status: 200, body: project }],
      ['GET /platforms', { status: 200, body: { items: [{ id: 'aws', displayName: 'AWS' }, { id: 'azure', displayName: 'Azure' }] } }],
      ['POST /customers/globex/projects/web/tenants/t-1/access', { status: 200, body: { url: 'https://console.aws.example/t-1' } }],
    ]);
    const context: CustomerContext = { customer: exampleCustomer, etag: '"3"', role: 'CUSTOMER_ADMIN' };
    renderPage(<InCustomer context={context} />, { api, path: '/my/customers/globex/projects/web', user: customerUser });
    const open = await screen.findByRole('button', { name: 'Open AWS tenant' });
    await waitFor(() => expect(seen.map((r) => `${r.method} ${r.path}`)).toContain('GET /platforms'));
    expect(writes()).toEqual([]);
    // Only the platforms the project has no tenant on are offered.
    await userEvent.click(screen.getByRole('button', { name: /Platform/ }));
    expect((await screen.findAllByText('Azure', { selector: '[role=option] *' })).length).toBeGreaterThan(0);
    expect(screen.queryByText('AWS', { selector: '[role=option] *' })).toBeNull();

    await userEvent.click(open);
    expect((await screen.findByRole('link', { name: /Go to the AWS console/ })).getAttribute('href')).toBe('https://console.aws.example/t-1');
  });

  it('closes tenant access of a disabled customer and says why', async () => {
    const { api } = fakeApi([
      ['GET /customers/globex/projects/web', { status: 200, body: project }],
      ['GET /platforms', { status: 200, body: { items: [{ id: 'aws', displayName: 'AWS' }] } }],
    ]);
    const context: CustomerContext = { customer: { ...exampleCustomer, status: 'DISABLED' }, etag: '"3"', role: 'CUSTOMER_EMPLOYEE' };
    renderPage(<InCustomer context={context} />, { api, path: '/my/customers/globex/projects/web', user: customerUser });
    const open = await screen.findByRole('button', { name: 'Open AWS tenant' });
    expect(open.getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByText(/Tenant access is closed\. Globex is disabled by its partner/)).toBeTruthy();
  });
});
