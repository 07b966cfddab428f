import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { exampleCustomer, fakeApi, page, renderPage } from '../../testing/render';
import { CustomersPage } from './CustomersPage';

const pending = { ...exampleCustomer, identifier: 'newco', displayName: 'Newco', status: 'PENDING_APPROVAL' as const, version: 1 };

describe('CustomersPage', () => {
  it('reads the list with the search, status and page the URL holds, and offers the seed actions per row', async () => {
    const { api, seen } = fakeApi([['GET /customers', page([exampleCustomer, pending], 'c2')]]);
    renderPage(<CustomersPage />, { api, path: '/admin/customers?q=glo&status=ACTIVE&after=c1' });
    expect(await screen.findByText('Globex')).toBeTruthy();
    expect(seen[0]!.path).toBe('/customers?q=glo&status=ACTIVE&limit=25&cursor=c1');
    expect(screen.getByRole('link', { name: 'Create Customer' }).getAttribute('href')).toBe('/admin/customers/new');

    await userEvent.click(screen.getByRole('button', { name: 'Actions for newco' }));
    const menu = screen.getByRole('menu');
    for (const label of ['Users', 'Message', 'Quota', 'Customer Tags', 'History', 'Approve…', 'Reject…']) {
      expect(within(menu).getByText(label)).toBeTruthy();
    }
    expect(within(menu).queryByText('Disable…')).toBeNull();
  });

  it('puts a status filter into the URL and starts again at the first page', async () => {
    const { api, seen } = fakeApi([
      ['GET /customers', page([exampleCustomer], 'c2')],
      ['GET /customers', page([pending])],
    ]);
    renderPage(<CustomersPage />, { api, path: '/admin/customers?after=c1' });
    await screen.findByText('Globex');
    await userEvent.click(screen.getByRole('button', { name: /Status/ }));
    await userEvent.click(await screen.findByText('Pending approval', { selector: '[role=option] *' }));
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/admin/customers?status=PENDING_APPROVAL'));
    await screen.findByText('Newco');
    expect(seen[1]!.path).toBe('/customers?status=PENDING_APPROVAL&limit=25');
  });

  it('disables a customer only after a confirmation with a reason, sending the version as If-Match', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers', page([exampleCustomer])],
      ['PUT /customers/globex/status', { status: 200, body: { ...exampleCustomer, status: 'DISABLED', version: 4 } }],
      ['GET /customers', page([{ ...exampleCustomer, status: 'DISABLED', version: 4 }])],
    ]);
    renderPage(<CustomersPage />, { api, path: '/admin/customers' });
    await screen.findByText('Globex');
    await userEvent.click(screen.getByRole('button', { name: 'Actions for globex' }));
    await userEvent.click(within(screen.getByRole('menu')).getByText('Disable…'));

    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/can no longer access tenants through the portal/)).toBeTruthy();
    expect(within(dialog).getByText(/can no longer create service users/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Disable globex' }));
    expect(await within(dialog).findByText('Give a reason.')).toBeTruthy();
    expect(writes()).toEqual([]);

    await userEvent.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'unpaid invoice');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Disable globex' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]!.body).toEqual({ status: 'DISABLED', reason: 'unpaid invoice' });
    expect(writes()[0]!.headers.get('if-match')).toBe('"3"');
    expect(await screen.findByText('Globex (globex) is now disabled.')).toBeTruthy();
  });

  it('rejects a registration with its reason (POST …/rejection)', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers', page([pending])],
      ['POST /customers/newco/rejection', { status: 204 }],
      ['GET /customers', page([])],
    ]);
    renderPage(<CustomersPage />, { api, path: '/admin/customers' });
    await screen.findByText('Newco');
    await userEvent.click(screen.getByRole('button', { name: 'Actions for newco' }));
    await userEvent.click(within(screen.getByRole('menu')).getByText('Reject…'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/identifier/)).toBeTruthy();
    await userEvent.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'not a real company');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Reject newco' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]!.body).toEqual({ reason: 'not a real company' });
    expect(await screen.findByText(/The registration of Newco \(newco\) was rejected/)).toBeTruthy();
  });
});
