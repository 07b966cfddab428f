import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { TagDefinition } from '../api/types';
import { fakeApi, partnerAdmin, problem, renderWithApi } from '../testing/render';
import { CreateCustomerForm } from './CreateCustomerPage';

const costCenter: TagDefinition = {
  key: 'costCenter', displayName: 'Cost center', description: '', valueType: 'STRING', pattern: '[0-9]{4}',
  mandatory: false, restricted: true, version: 1,
};

const errorNextTo = (input: HTMLElement) => {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids.map((id) => document.getElementById(id)).find((el) => el?.classList.contains('field-error'))?.textContent ?? null;
};

describe('Create Customer form', () => {
  it('checks the identifier live against the API pattern and warns that it cannot be changed', async () => {
    const { api } = fakeApi([]);
    renderWithApi(<CreateCustomerForm definitions={[]} />, api);
    const identifier = screen.getByRole('textbox', { name: 'Identifier' });
    expect(screen.getByText(/cannot be changed later/)).toBeTruthy();

    await userEvent.type(identifier, 'Globex_Labs');
    expect(identifier.getAttribute('aria-invalid')).toBe('true');
    expect(errorNextTo(identifier)).toMatch(/lowercase letters, digits or hyphens/);

    await userEvent.clear(identifier);
    await userEvent.type(identifier, 'globex-labs');
    expect(identifier.getAttribute('aria-invalid')).toBeNull();
    expect(errorNextTo(identifier)).toBeNull();

    await userEvent.type(identifier, '-');
    expect(errorNextTo(identifier)).toMatch(/starting and ending with a letter or digit/);
  });

  it('checks a typed tag value by its pattern before sending', async () => {
    const { api, seen } = fakeApi([]);
    renderWithApi(<CreateCustomerForm definitions={[costCenter]} />, api);
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'Globex');
    await userEvent.type(screen.getByRole('textbox', { name: 'Identifier' }), 'globex');
    const tag = screen.getByRole('textbox', { name: 'Cost center' });
    await userEvent.type(tag, '12a');
    await userEvent.click(screen.getByRole('button', { name: 'Create Customer' }));
    expect(errorNextTo(tag)).toBe('Must match the pattern [0-9]{4}.');
    expect(seen).toHaveLength(0);
  });

  it('puts each field error of a problem+json answer next to its field', async () => {
    const { api, seen } = fakeApi([
      problem(400, { errors: { identifier: 'is reserved', 'users[0].email': 'is not a deliverable address', 'tags.costCenter': 'does not match [0-9]{4}' } }),
    ]);
    renderWithApi(<CreateCustomerForm definitions={[costCenter]} />, api);
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'Globex');
    await userEvent.type(screen.getByRole('textbox', { name: 'Identifier' }), 'globex');
    await userEvent.click(screen.getByRole('button', { name: 'Add user' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'E-mail of user 1' }), 'jane@globex.example');
    await userEvent.type(screen.getByRole('textbox', { name: 'Cost center' }), '4711');
    await userEvent.click(screen.getByRole('button', { name: 'Create Customer' }));

    await waitFor(() => expect(errorNextTo(screen.getByRole('textbox', { name: 'Identifier' }))).toBe('is reserved'));
    expect(errorNextTo(screen.getByRole('textbox', { name: 'E-mail of user 1' }))).toBe('is not a deliverable address');
    expect(errorNextTo(screen.getByRole('textbox', { name: 'Cost center' }))).toBe('does not match [0-9]{4}');
    expect(screen.getByRole('alert').textContent).toContain('Please correct the marked fields.');
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: 'http://api.test/customers',
      body: {
        identifier: 'globex', displayName: 'Globex', users: [{ email: 'jane@globex.example', role: 'CUSTOMER_ADMIN' }],
        tags: { costCenter: ['4711'] }, partnerId: null, projectQuota: null,
      },
    });
  });

  it('says a taken identifier next to the identifier', async () => {
    const { api } = fakeApi([
      problem(409, { type: 'identifier-taken', title: 'Identifier taken', detail: 'customer "globex" exists already' }),
    ]);
    renderWithApi(<CreateCustomerForm definitions={[]} />, api);
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'Globex');
    await userEvent.type(screen.getByRole('textbox', { name: 'Identifier' }), 'globex');
    await userEvent.click(screen.getByRole('button', { name: 'Create Customer' }));
    await waitFor(() => expect(errorNextTo(screen.getByRole('textbox', { name: 'Identifier' }))).toBe(
      'A customer with this identifier exists already. Please choose another one.',
    ));
    expect(screen.getByRole('alert').textContent).toBe('Please correct the marked fields.');
  });

  it('offers the partner only to platform admins', async () => {
    const { api } = fakeApi([]);
    const { unmount } = renderWithApi(<CreateCustomerForm definitions={[]} />, api);
    expect(screen.queryByRole('textbox', { name: /Partner/ })).toBeNull();
    unmount();

    const platformAdmin = { ...partnerAdmin, groups: ['platform-admins'], partnerId: null, adminRole: 'PLATFORM_ADMIN' as const };
    const { api: asAdmin, seen } = fakeApi([problem(400, { errors: { partnerId: 'must be a partner id' } })]);
    renderWithApi(<CreateCustomerForm definitions={[]} />, asAdmin, platformAdmin);
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'Globex');
    await userEvent.type(screen.getByRole('textbox', { name: 'Identifier' }), 'globex');
    const partner = screen.getByRole('textbox', { name: 'Partner (optional)' });
    await userEvent.type(partner, 'globex-partner');
    await userEvent.click(screen.getByRole('button', { name: 'Create Customer' }));
    await waitFor(() => expect(errorNextTo(partner)).toBe('must be a partner id'));
    expect(seen[0]!.body).toMatchObject({ partnerId: 'globex-partner' });
  });
});
