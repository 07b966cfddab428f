import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { StaticAppServices } from '../auth/AuthContext';
import { CustomerLayout, MyCustomersIndex } from './CustomerLayout';
import { acme, page, scriptedApi, services } from './test/render';

const mine = [
  { customerId: 'acme', displayName: 'Acme', status: 'ACTIVE', role: 'CUSTOMER_ADMIN', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'REGISTRATION' },
  { customerId: 'globex', displayName: 'Globex', status: 'DISABLED', role: 'CUSTOMER_EMPLOYEE', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'INVITATION' },
];

function renderAt(path: string, answers: Parameters<typeof scriptedApi>[0]) {
  const scripted = scriptedApi(answers);
  render(
    <StaticAppServices value={services(scripted.api)}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/my" element={<MyCustomersIndex />} />
          <Route path="/my/customers/:id" element={<CustomerLayout />}>
            <Route index element={<p>sections</p>} />
          </Route>
        </Routes>
      </MemoryRouter>
    </StaticAppServices>,
  );
  return scripted;
}

describe('customer drop-down', () => {
  it('/my opens the first customer; a choice opens another only when asked', async () => {
    renderAt('/my', {
      'GET /me/customers': page(mine),
      'GET /customers/acme': { status: 200, body: acme, headers: { etag: '"1"' } },
      'GET /customers/globex': { status: 200, body: { ...acme, identifier: 'globex', displayName: 'Globex', status: 'DISABLED' } },
    });
    expect(await screen.findByRole('heading', { name: 'Acme', level: 1 })).toBeTruthy();
    expect(screen.getByText('You are customer admin here.')).toBeTruthy();
    const dropDown = screen.getByRole('combobox', { name: 'Customer' });
    await userEvent.selectOptions(dropDown, 'globex');
    expect(screen.getByRole('heading', { name: 'Acme', level: 1 })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Open customer' }));
    expect(await screen.findByRole('heading', { name: 'Globex', level: 1 })).toBeTruthy();
    expect(screen.getByText(/Globex is disabled by its partner/)).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Service users' })).toBeNull();
  });

  it('says how to get a customer when the user has none', async () => {
    renderAt('/my', { 'GET /me/customers': page([]) });
    expect(await screen.findByText('You are not a member of any customer yet.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'register a customer' }).getAttribute('href')).toBe('/register');
  });
});
