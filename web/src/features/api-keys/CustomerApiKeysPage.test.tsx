import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Outlet, Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import type { CustomerContext } from '../../shared/customerContext';
import { customerUser, exampleCustomer, fakeApi, page, problem, renderPage } from '../../testing/render';
import CustomerApiKeysPage from './CustomerApiKeysPage';

const SECRET = `mck_${'Z9y8X7w6V5'.repeat(4)}abc`;
const deployBot = {
  keyId: '019bc194-99a0-7e55-8f60-718293a4b5d1', name: 'deploy-bot', role: 'CUSTOMER_EMPLOYEE', customerId: 'globex',
  createdAt: '2026-11-01T10:00:00Z', createdBy: 'u-dana', expiresAt: '2026-11-30T00:00:00Z', lastUsedAt: null,
};
const list = (...items: unknown[]) => ({ status: 200, body: { items } });
const dana = { customerId: 'globex', userId: 'u-dana', email: 'dana@shop.example', name: 'Dana', role: 'CUSTOMER_ADMIN', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'INVITATION', version: 1 };
const members = ['GET /customers/globex/users', page([dana])] as const;

function InCustomer({ context }: { context: CustomerContext }) {
  return (
    <Routes>
      <Route element={<Outlet context={context} />}>
        <Route path="*" element={<CustomerApiKeysPage />} />
      </Route>
    </Routes>
  );
}
const admin: CustomerContext = { customer: exampleCustomer, etag: '"3"', role: 'CUSTOMER_ADMIN' };

describe('CustomerApiKeysPage (Account → API keys)', () => {
  it("lists the customer's keys (an expired one said so) and makes a customer key on a chosen last day, shown once", async () => {
    const user = userEvent.setup();
    const { api, seen, writes } = fakeApi([
      ['GET /customers/globex/api-keys', list(deployBot)],
      [...members],
      ['POST /customers/globex/api-keys', { status: 201, body: { ...deployBot, keyId: '019bc194-99a0-7e55-8f60-718293a4b5d2', name: 'ci', role: 'CUSTOMER_ADMIN', createdBy: 'u-sam', expiresAt: '2027-01-31T22:59:59Z', key: SECRET } }],
      ['GET /customers/globex/api-keys', list(deployBot)],
    ]);
    renderPage(<InCustomer context={admin} />, { api, path: '/my/customers/globex/api-keys', user: customerUser });
    const table = await screen.findByRole('table', { name: 'API keys of Globex' });
    expect(await within(table).findByText('deploy-bot')).toBeTruthy();
    expect(within(table).getByText(/Expired/)).toBeTruthy();
    expect(within(table).getByText('Never')).toBeTruthy();
    // The creator by name, from the customer's members.
    expect(await within(table).findByText('by Dana')).toBeTruthy();
    expect(seen[0]!.path).toBe('/customers/globex/api-keys');

    await user.click(screen.getByRole('button', { name: 'Create API key' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByRole('textbox', { name: /Key name/ }), 'ci');
    await user.click(within(dialog).getByRole('button', { name: /Role/ }));
    await user.click(await screen.findByText('Customer admin', { selector: '[role=option] *' }));
    await user.click(within(dialog).getByRole('radio', { name: 'On a day of my choice' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    expect(await within(dialog).findByText('Choose the day the key stops working.')).toBeTruthy();
    expect(writes()).toEqual([]);

    const nextMonth = new Date();
    nextMonth.setDate(nextMonth.getDate() + 30);
    const day = `${nextMonth.getFullYear()}/${String(nextMonth.getMonth() + 1).padStart(2, '0')}/${String(nextMonth.getDate()).padStart(2, '0')}`;
    await user.type(within(dialog).getByPlaceholderText('YYYY/MM/DD'), day);
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    expect(await within(dialog).findByDisplayValue(SECRET)).toBeTruthy();
    const sent = writes()[0]!;
    expect(sent.path).toBe('/customers/globex/api-keys');
    const end = new Date(nextMonth.getFullYear(), nextMonth.getMonth(), nextMonth.getDate(), 23, 59, 59);
    expect(sent.body).toEqual({ name: 'ci', role: 'CUSTOMER_ADMIN', expiresAt: end.toISOString().replace('.000Z', 'Z') });

    // Escape closes the modal, and the key with it.
    // (user-event's Escape carries no keyCode, which Cloudscape's modal reads.)
    fireEvent.keyDown(document.activeElement!, { key: 'Escape', keyCode: 27 });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.queryByDisplayValue(SECRET)).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it('revokes a key after the confirmation with the customer path', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers/globex/api-keys', list(deployBot)],
      [...members],
      ['DELETE /customers/globex/api-keys/019bc194-99a0-7e55-8f60-718293a4b5d1', { status: 204 }],
      ['GET /customers/globex/api-keys', list()],
    ]);
    renderPage(<InCustomer context={admin} />, { api, path: '/my/customers/globex/api-keys', user: customerUser });
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke deploy-bot' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/can no longer call the API as Globex/)).toBeTruthy();
    expect(writes()).toEqual([]);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke deploy-bot' }));
    expect(await screen.findByText('The API key deploy-bot was revoked.')).toBeTruthy();
    expect(writes()).toHaveLength(1);
    expect(await screen.findByText('Create one for each program that calls the API as Globex.')).toBeTruthy();
  });

  it('offers no creation while the customer is disabled, and says why', async () => {
    const { api } = fakeApi([['GET /customers/globex/api-keys', list(deployBot)], [...members]]);
    const disabled: CustomerContext = { ...admin, customer: { ...exampleCustomer, status: 'DISABLED' } };
    renderPage(<InCustomer context={disabled} />, { api, path: '/my/customers/globex/api-keys', user: customerUser });
    await screen.findByText('deploy-bot');
    const create = screen.getByRole('button', { name: 'Create API key' });
    expect(create.getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByText(/no API keys can be created until it is enabled again/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Revoke deploy-bot' }).getAttribute('aria-disabled')).toBeNull();
  });

  it('shows an employee who manages the keys, and reads nothing', async () => {
    const { api, seen } = fakeApi([['GET /customers/globex/api-keys', problem(403, 'forbidden')]]);
    renderPage(<InCustomer context={{ ...admin, role: 'CUSTOMER_EMPLOYEE' }} />, { api, path: '/my/customers/globex/api-keys', user: customerUser });
    expect(await screen.findByText('API keys are managed by the customer admins.')).toBeTruthy();
    expect(seen).toEqual([]);
  });
});
