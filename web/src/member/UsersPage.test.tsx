import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { UsersPage } from './UsersPage';
import { page, problem, renderInCustomer, scriptedApi } from './test/render';

const pat = { customerId: 'acme', userId: 'pat', email: 'pat@acme.example', name: 'Pat', role: 'CUSTOMER_ADMIN', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'REGISTRATION', version: 3 };
const jane = { customerId: 'acme', userId: 'jane', email: 'jane@acme.example', name: 'Jane', role: 'CUSTOMER_EMPLOYEE', joinedAt: '2026-01-16T10:30:00Z', joinedVia: 'INVITATION', version: 1 };
const invitation = {
  id: '019bc134-7908-7a11-8b2c-3d4e5f607180', customerId: 'acme', email: 'joe@acme.example', role: 'CUSTOMER_EMPLOYEE',
  status: 'PENDING', invitedBy: 'pat', createdAt: '2026-01-15T10:30:00Z', expiresAt: '2026-01-22T10:30:00Z', version: 2,
};

const renderUsers = (
  answers: Parameters<typeof scriptedApi>[0], role: 'CUSTOMER_ADMIN' | 'CUSTOMER_EMPLOYEE' = 'CUSTOMER_ADMIN', reloadRole = () => undefined,
) => {
  const scripted = scriptedApi({
    'GET /customers/acme/users': page([pat, jane]),
    'GET /customers/acme/invitations': page([invitation]),
    ...answers,
  });
  renderInCustomer(scripted.api, { role, reloadRole, path: '/my/customers/acme/users', route: '/my/customers/:id/users', element: <UsersPage /> });
  return scripted;
};

describe('invite form', () => {
  it('says a malformed address next to the field and sends nothing', async () => {
    const { sent } = renderUsers({});
    const email = await screen.findByLabelText('E-mail address');
    await userEvent.type(email, 'joe@localhost');
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Enter an e-mail address such as jane@example.com.')).toBeTruthy();
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('invites with the role chosen and says so', async () => {
    const { sent } = renderUsers({ 'POST /customers/acme/invitations': { status: 201, body: invitation } });
    await userEvent.type(await screen.findByLabelText('E-mail address'), ' joe@acme.example ');
    await userEvent.selectOptions(screen.getByLabelText('Role'), 'CUSTOMER_ADMIN');
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    expect(await screen.findByText('An invitation was sent to joe@acme.example.')).toBeTruthy();
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({ email: 'joe@acme.example', role: 'CUSTOMER_ADMIN' });
  });

  it('puts a 409 invitation-pending next to the e-mail field in words', async () => {
    renderUsers({ 'POST /customers/acme/invitations': problem(409, 'invitation-pending') });
    await userEvent.type(await screen.findByLabelText('E-mail address'), 'joe@acme.example');
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    expect(await screen.findByText(/has a pending invitation already/)).toBeTruthy();
    expect(screen.getByLabelText('E-mail address').getAttribute('aria-invalid')).toBe('true');
  });

  it('puts the API validation message next to the field it names', async () => {
    renderUsers({ 'POST /customers/acme/invitations': problem(400, 'validation-failed', 'invalid', { email: 'must be deliverable' }) });
    await userEvent.type(await screen.findByLabelText('E-mail address'), 'joe@acme.example');
    await userEvent.click(screen.getByRole('button', { name: 'Invite' }));
    expect(await screen.findByText('must be deliverable')).toBeTruthy();
  });
});

describe('members', () => {
  it('says the 409 last-admin in words when the last admin is demoted', async () => {
    const { sent } = renderUsers({ 'PUT /customers/acme/users/pat/role': problem(409, 'last-admin') });
    await userEvent.click(await screen.findByRole('button', { name: 'Change role of Pat' }));
    await userEvent.selectOptions(screen.getByLabelText('New role of Pat'), 'CUSTOMER_EMPLOYEE');
    await userEvent.click(screen.getByRole('button', { name: 'Save role' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'This is the last customer admin: a customer always keeps at least one. Make another member a customer admin first.',
    );
    const put = sent.find((r) => r.method === 'PUT')!;
    expect(put.body).toEqual({ role: 'CUSTOMER_EMPLOYEE' });
    expect(put.headers['if-match']).toBe('"3"');
  });

  it('reads the own role again after changing it', async () => {
    const reloadRole = vi.fn();
    renderUsers({ 'PUT /customers/acme/users/pat/role': { status: 200, body: { ...pat, role: 'CUSTOMER_EMPLOYEE', version: 4 } } }, 'CUSTOMER_ADMIN', reloadRole);
    await userEvent.click(await screen.findByRole('button', { name: 'Change role of Pat' }));
    await userEvent.selectOptions(screen.getByLabelText('New role of Pat'), 'CUSTOMER_EMPLOYEE');
    await userEvent.click(screen.getByRole('button', { name: 'Save role' }));
    expect(await screen.findByText('You are now customer employee.')).toBeTruthy();
    expect(reloadRole).toHaveBeenCalledTimes(1);
  });

  it('offers a reload on 412 and reads the members again', async () => {
    const { sent } = renderUsers({ 'DELETE /customers/acme/users/jane': problem(412, 'precondition-failed') });
    await userEvent.click(await screen.findByRole('button', { name: 'Remove Jane' }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, remove Jane' }));
    expect(await screen.findByText(/Someone else changed this in the meantime/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(sent.filter((r) => r.method === 'GET' && r.path.startsWith('/customers/acme/users')).length).toBe(2));
  });

  it('shows a customer employee no admin actions and no invitations, only leaving', async () => {
    renderUsers({}, 'CUSTOMER_EMPLOYEE');
    const table = await screen.findByRole('table', { name: 'Members of Acme' });
    expect(within(table).queryByRole('button', { name: /Change role/ })).toBeNull();
    expect(within(table).queryByRole('button', { name: 'Remove Jane' })).toBeNull();
    expect(within(table).getByRole('button', { name: 'Leave Acme' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Invitations' })).toBeNull();
  });
});

describe('invitations', () => {
  it('resends and cancels with the version as If-Match', async () => {
    const { sent } = renderUsers({
      'POST /customers/acme/invitations/019bc134-7908-7a11-8b2c-3d4e5f607180/resend': { status: 200, body: { ...invitation, version: 3 } },
      'DELETE /customers/acme/invitations/019bc134-7908-7a11-8b2c-3d4e5f607180': { status: 204 },
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Resend invitation to joe@acme.example' }));
    expect(await screen.findByText('The invitation was sent again to joe@acme.example.')).toBeTruthy();
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel invitation to joe@acme.example' }));
    expect(await screen.findByText('The invitation to joe@acme.example was cancelled.')).toBeTruthy();
    const writes = sent.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => [r.method, r.headers['if-match'], r.body])).toEqual([
      ['POST', '"2"', undefined],
      ['DELETE', '"2"', undefined],
    ]);
  });
});
