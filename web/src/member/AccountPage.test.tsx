import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { TagDefinition } from '../api/types';
import { AccountPage } from './AccountPage';
import { acme, problem, renderInCustomer, scriptedApi } from './test/render';

const billing: TagDefinition = {
  key: 'billing', displayName: 'Billing', description: '', valueType: 'SINGLE_SELECT', options: ['invoice', 'card'], mandatory: true, restricted: true, version: 1,
};
const team: TagDefinition = { key: 'team', displayName: 'Team', description: '', valueType: 'STRING', mandatory: false, restricted: false, version: 1 };
const tagged = { ...acme, version: 4, tags: { billing: ['invoice'], team: ['ops'] } };

describe('account of a customer', () => {
  it('renames with If-Match and offers a reload on 412', async () => {
    const reloadCustomer = vi.fn();
    const scripted = scriptedApi({
      'GET /tag-definitions': { status: 200, body: { items: [billing, team] } },
      'PATCH /customers/acme': problem(412, 'precondition-failed'),
    });
    renderInCustomer(scripted.api, { customer: tagged, path: '/a', route: '/a', element: <AccountPage />, reloadCustomer });
    const name = await screen.findByLabelText('Display name');
    await userEvent.clear(name);
    await userEvent.type(name, 'Acme Labs');
    await userEvent.click(screen.getByRole('button', { name: 'Save display name' }));
    expect(await screen.findByText(/Someone else changed this in the meantime/)).toBeTruthy();
    const patch = scripted.sent.find((r) => r.method === 'PATCH')!;
    expect(patch.headers['if-match']).toBe('"4"');
    expect(patch.body).toEqual({ displayName: 'Acme Labs' });
    await userEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(reloadCustomer).toHaveBeenCalled();
  });

  it('shows restricted tags read-only and sends only the changed unrestricted ones', async () => {
    const replaceCustomer = vi.fn();
    const scripted = scriptedApi({
      'GET /tag-definitions': { status: 200, body: { items: [billing, team] } },
      'PATCH /customers/acme/tags': { status: 200, body: { ...tagged, version: 5, tags: { billing: ['invoice'] } }, headers: { etag: '"5"' } },
    });
    renderInCustomer(scripted.api, { customer: tagged, path: '/a', route: '/a', element: <AccountPage />, replaceCustomer });
    const teamInput = await screen.findByLabelText('Team');
    expect(screen.queryByLabelText(/Billing/)).toBeNull();
    expect(screen.getByText('invoice')).toBeTruthy();
    await userEvent.clear(teamInput);
    await userEvent.click(screen.getByRole('button', { name: 'Save tags' }));
    const patch = scripted.sent.find((r) => r.method === 'PATCH')!;
    expect(patch.body).toEqual({ team: null });
    expect(patch.headers['if-match']).toBe('"4"');
    expect(replaceCustomer).toHaveBeenCalledWith(expect.objectContaining({ version: 5 }), '"5"');
  });

  it('shows a customer employee the account without forms', async () => {
    const scripted = scriptedApi({ 'GET /tag-definitions': { status: 200, body: { items: [billing, team] } } });
    renderInCustomer(scripted.api, { customer: tagged, role: 'CUSTOMER_EMPLOYEE', path: '/a', route: '/a', element: <AccountPage /> });
    expect(await screen.findByText('ops')).toBeTruthy();
    expect(screen.getByText('3 of 5 projects')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save tags' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save display name' })).toBeNull();
  });
});
