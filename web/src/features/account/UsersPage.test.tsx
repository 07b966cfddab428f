import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Outlet, Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { customerUser, exampleCustomer, fakeApi, page, problem, renderPage } from '../../testing/render';
import type { CustomerContext } from '../../shared/customerContext';
import { UsersPage } from './UsersPage';

const sam = { customerId: 'globex', userId: 'u-sam', email: 'sam@shop.example', name: 'Sam', role: 'CUSTOMER_ADMIN', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'REGISTRATION', version: 1 };
const dana = { ...sam, userId: 'u-dana', email: 'dana@shop.example', name: 'Dana', role: 'CUSTOMER_EMPLOYEE', joinedVia: 'INVITATION', version: 2 };
const invitation = { id: 'i-1', customerId: 'globex', email: 'new@shop.example', role: 'CUSTOMER_EMPLOYEE', status: 'PENDING', invitedBy: 'u-sam', createdAt: '2026-01-16T10:30:00Z', expiresAt: '2099-01-23T10:30:00Z', version: 1 };

function InCustomer() {
  const context: CustomerContext = { customer: exampleCustomer, etag: '"3"', role: 'CUSTOMER_ADMIN' };
  return (
    <Routes>
      <Route element={<Outlet context={context} />}>
        <Route path="*" element={<UsersPage />} />
      </Route>
    </Routes>
  );
}

const open = async (name: string, item: string) => {
  await userEvent.click(await screen.findByRole('button', { name }));
  await userEvent.click(within(screen.getByRole('menu')).getByText(item));
  return screen.findByRole('dialog');
};

describe('UsersPage (customer view)', () => {
  it('removes a member only after a confirmation that says what happens, and says a refusal in words', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers/globex/users', page([sam, dana])],
      ['GET /customers/globex/invitations', page([invitation])],
      ['DELETE /customers/globex/users/u-dana', problem(409, 'last-admin')],
    ]);
    renderPage(<InCustomer />, { api, path: '/my/customers/globex/users', user: customerUser });
    const dialog = await open('Actions for Dana', 'Remove…');
    expect(within(dialog).getByText(/Dana loses access to Globex at once/)).toBeTruthy();
    expect(writes()).toEqual([]);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove Dana' }));
    expect(await within(dialog).findByText(/This is the last customer admin/)).toBeTruthy();
    expect(writes()[0]!.headers.get('if-match')).toBe('"2"');
  });

  it('cancels an invitation only after a confirmation', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers/globex/users', page([sam])],
      ['GET /customers/globex/invitations', page([invitation])],
      ['DELETE /customers/globex/invitations/i-1', { status: 204 }],
      ['GET /customers/globex/users', page([sam])],
      ['GET /customers/globex/invitations', page([{ ...invitation, status: 'CANCELLED', version: 2 }])],
    ]);
    renderPage(<InCustomer />, { api, path: '/my/customers/globex/users', user: customerUser });
    const dialog = await open('Actions for the invitation of new@shop.example', 'Cancel invitation…');
    expect(within(dialog).getByText(/stops working/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Keep the invitation' }));
    expect(writes()).toEqual([]);
    const again = await open('Actions for the invitation of new@shop.example', 'Cancel invitation…');
    await userEvent.click(within(again).getByRole('button', { name: 'Cancel invitation' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(await screen.findByText('The invitation of new@shop.example was cancelled.')).toBeTruthy();
    expect(await screen.findByText('Cancelled')).toBeTruthy();
  });
});
