import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { exampleCustomer, fakeApi, page, renderPage } from '../../testing/render';
import { UsersTab } from './UsersTab';

const member = { customerId: 'globex', userId: 'u-sam', email: 'sam@globex.example', name: 'Sam', role: 'CUSTOMER_ADMIN', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'REGISTRATION', version: 1 };
const invitation = { id: 'i-1', customerId: 'globex', email: 'new@globex.example', role: 'CUSTOMER_EMPLOYEE', status: 'PENDING', invitedBy: 'u-sam', createdAt: '2026-01-16T10:30:00Z', expiresAt: '2099-01-23T10:30:00Z', version: 1 };

describe('UsersTab (admin area)', () => {
  it('shows members and pending invitations, and adds the caller after a confirmation', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers/globex/users', page([member])],
      ['GET /customers/globex/invitations', page([invitation])],
      ['GET /me/customers', page([])],
      ['POST /customers/globex/users/me', { status: 201, body: { ...member, userId: 'u-pat', role: 'CUSTOMER_ADMIN', joinedVia: 'SELF_ASSIGNMENT' } }],
      ['GET /customers/globex/users', page([member])],
      ['GET /customers/globex/invitations', page([invitation])],
      ['GET /me/customers', page([{ customerId: 'globex', displayName: 'Globex', status: 'ACTIVE', role: 'CUSTOMER_ADMIN', joinedAt: '2026-12-07T00:00:00Z', joinedVia: 'SELF_ASSIGNMENT' }])],
    ]);
    renderPage(<UsersTab customer={exampleCustomer} />, { api });
    expect(await screen.findByText('sam@globex.example')).toBeTruthy();
    expect(await screen.findByText('new@globex.example')).toBeTruthy();
    expect(screen.getByText('Pending')).toBeTruthy();

    await userEvent.click(await screen.findByRole('button', { name: 'Add Myself' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'setting up projects');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add Myself' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]!.body).toEqual({ reason: 'setting up projects' });
    expect(await screen.findByText(/You were added to globex as customer admin/)).toBeTruthy();
    // Once a member, Add Myself is off and says why.
    await waitFor(() => expect(screen.getByRole('button', { name: 'Add Myself' }).getAttribute('aria-disabled')).toBe('true'));
    expect(screen.getAllByText('You are a member of globex already (customer admin).').length).toBeGreaterThan(0);
  });
});
