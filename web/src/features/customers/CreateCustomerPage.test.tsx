import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { exampleCustomer, fakeApi, page, renderPage } from '../../testing/render';
import CreateCustomerPage from './CreateCustomerPage';

const pad = (n: number) => String(n).padStart(2, '0');

describe('Create Customer', () => {
  it('sends a membership end for an invited user who has one, none for one without', async () => {
    const d = new Date(Date.now() + 30 * 24 * 3600_000);
    const end = new Date(d.getFullYear(), d.getMonth(), d.getDate(), 23, 59).toISOString();
    const { api, writes } = fakeApi([
      ['GET /tag-definitions', page([])],
      ['POST /customers', { status: 201, body: { ...exampleCustomer, identifier: 'newco', displayName: 'Newco' } }],
    ]);
    renderPage(<CreateCustomerPage />, { api });
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'Newco');
    await userEvent.type(screen.getByRole('textbox', { name: /Identifier/ }), 'newco');
    await userEvent.click(screen.getByRole('button', { name: 'Add user' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add user' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'E-mail of user 1' }), 'temp@newco.example');
    await userEvent.type(screen.getByRole('textbox', { name: 'E-mail of user 2' }), 'boss@newco.example');
    const first = screen.getByRole('radiogroup', { name: 'Membership of user 1 ends' });
    await userEvent.click(within(first).getByRole('radio', { name: /At a day and time/ }));
    // Without a day the form says so and sends nothing.
    await userEvent.click(screen.getByRole('button', { name: 'Create Customer' }));
    expect(await screen.findByText('Choose the day the membership ends.')).toBeTruthy();
    expect(writes()).toEqual([]);
    await userEvent.type(screen.getByPlaceholderText('YYYY/MM/DD'), `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())}`);
    await userEvent.click(screen.getByRole('button', { name: 'Create Customer' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect((writes()[0]!.body as { users: unknown[] }).users).toEqual([
      { email: 'temp@newco.example', role: 'CUSTOMER_ADMIN', membershipExpiresAt: end },
      { email: 'boss@newco.example', role: 'CUSTOMER_ADMIN' },
    ]);
  });
});
