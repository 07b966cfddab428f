import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { customerUser, exampleCustomer, fakeApi, page, problem, renderPage } from '../../testing/render';
import { CustomerLayout } from './CustomerLayout';

describe('CustomerLayout', () => {
  it('tells a removed member in words, with the way to their customers, and no useless retry', async () => {
    const { api } = fakeApi([
      ['GET /me/customers', page([])],
      ['GET /customers/globex', problem(404, 'not-found')],
    ]);
    renderPage(<CustomerLayout />, { api, path: '/my/customers/globex/users', route: '/my/customers/:id/*', user: customerUser });
    expect(await screen.findByText('You have no access to globex')).toBeTruthy();
    expect(screen.getByText(/you are not \(or no longer\) one of its members/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to my customers' }).getAttribute('href')).toBe('/my');
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  });

  it('shows the customer switcher and why a disabled customer cannot be changed', async () => {
    const { api } = fakeApi([
      ['GET /me/customers', page([{ customerId: 'globex', displayName: 'Globex', status: 'DISABLED', role: 'CUSTOMER_ADMIN', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'INVITATION' }])],
      ['GET /customers/globex', { status: 200, body: { ...exampleCustomer, status: 'DISABLED' }, headers: { etag: '"3"' } }],
    ]);
    renderPage(<CustomerLayout />, { api, path: '/my/customers/globex/users', route: '/my/customers/:id/*', user: customerUser });
    expect(await screen.findByRole('heading', { level: 1, name: 'Globex' })).toBeTruthy();
    expect(screen.getByText(/Globex is disabled by its partner/)).toBeTruthy();
    expect(screen.getByRole('button', { name: /Customer/ })).toBeTruthy();
  });
});
