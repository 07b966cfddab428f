import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ServiceUsersPage } from './ServiceUsersPage';
import { acme, page, problem, renderInCustomer, scriptedApi } from './test/render';

const ci = { serviceUserId: '019bc194-99a0-7e55-8f60-718293a4b5c0', customerId: 'acme', name: 'ci-pipeline', createdAt: '2026-01-15T10:30:00Z', createdBy: 'pat', version: 1 };
const secret = 'A'.repeat(43);

describe('service users', () => {
  it('checks the name before sending', async () => {
    const scripted = scriptedApi({ 'GET /customers/acme/service-users': page([]) });
    renderInCustomer(scripted.api, { path: '/s', route: '/s', element: <ServiceUsersPage /> });
    await userEvent.click(await screen.findByRole('button', { name: 'Create service user' }));
    expect(screen.getByText('Enter a name.')).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Service user name'), '   ');
    expect(screen.getByText('Enter a name.')).toBeTruthy();
    expect(scripted.sent.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('shows the secret once, with a copy button and the warning', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const scripted = scriptedApi({
      'GET /customers/acme/service-users': [page([]), page([ci])],
      'POST /customers/acme/service-users': { status: 201, body: { ...ci, secret } },
    });
    renderInCustomer(scripted.api, { path: '/s', route: '/s', element: <ServiceUsersPage /> });
    await userEvent.type(await screen.findByLabelText('Service user name'), ' ci-pipeline ');
    await userEvent.click(screen.getByRole('button', { name: 'Create service user' }));
    expect(((await screen.findByLabelText('Secret')) as HTMLInputElement).value).toBe(secret);
    expect(screen.getByText('This secret will not be shown again.')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Copy secret' }));
    expect(writeText).toHaveBeenCalledWith(secret);
    expect(await screen.findByText('The secret is copied to the clipboard.')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'I have stored the secret' }));
    expect(screen.queryByLabelText('Secret')).toBeNull();
    expect(await screen.findByRole('button', { name: 'Delete ci-pipeline' })).toBeTruthy();
    expect(scripted.sent.find((r) => r.method === 'POST')?.body).toEqual({ name: 'ci-pipeline' });
  });

  it('disables creation for a disabled customer and says a 403 customer-disabled in words', async () => {
    const scripted = scriptedApi({ 'GET /customers/acme/service-users': page([ci]) });
    renderInCustomer(scripted.api, { customer: { ...acme, status: 'DISABLED' }, path: '/s', route: '/s', element: <ServiceUsersPage /> });
    const create = await screen.findByRole('button', { name: 'Create service user' });
    expect((create as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(/Acme is disabled by its partner/)).toBeTruthy();

    const racing = scriptedApi({
      'GET /customers/acme/service-users': page([]),
      'POST /customers/acme/service-users': problem(403, 'customer-disabled'),
    });
    cleanup();
    renderInCustomer(racing.api, { path: '/s', route: '/s', element: <ServiceUsersPage /> });
    await userEvent.type(await screen.findByLabelText('Service user name'), 'ci');
    await userEvent.click(screen.getByRole('button', { name: 'Create service user' }));
    expect((await screen.findByRole('alert')).textContent).toContain('This customer is disabled');
  });
});
