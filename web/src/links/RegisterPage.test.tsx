import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { TagDefinition } from '../api/types';
import { acme, problem, renderPage, scriptedApi } from '../member/test/render';
import { RegisterPage, registrationTags } from './RegisterPage';

const costCenter: TagDefinition = {
  key: 'costCenter', displayName: 'Cost center', description: '', valueType: 'INTEGER', mandatory: true, restricted: false, version: 1,
};
const billing: TagDefinition = {
  key: 'billing', displayName: 'Billing', description: '', valueType: 'SINGLE_SELECT', options: ['invoice', 'card'], mandatory: true, restricted: true, version: 1,
};
const team: TagDefinition = {
  key: 'team', displayName: 'Team', description: '', valueType: 'STRING', mandatory: false, restricted: false, version: 1,
};

const renderRegister = (answers: Parameters<typeof scriptedApi>[0] = {}) => {
  const scripted = scriptedApi({ 'GET /tag-definitions': { status: 200, body: { items: [team, billing, costCenter] } }, ...answers });
  renderPage(scripted.api, '/register', '/register', <RegisterPage />);
  return scripted;
};

describe('register a customer', () => {
  it('offers the unrestricted tags only, mandatory ones first', () => {
    expect(registrationTags([team, billing, costCenter]).map((t) => t.key)).toEqual(['costCenter', 'team']);
  });

  it('warns that the identifier cannot be changed and checks it as it is typed', async () => {
    renderRegister();
    const identifier = await screen.findByLabelText('Identifier');
    expect(screen.getByText(/The identifier cannot be changed later/)).toBeTruthy();
    await userEvent.type(identifier, 'Sams');
    expect(screen.getByText('Use lowercase letters only.')).toBeTruthy();
    expect(identifier.getAttribute('aria-invalid')).toBe('true');
    await userEvent.clear(identifier);
    await userEvent.type(identifier, 'sams-shop-');
    expect(screen.getByText('Start and end with a letter or a digit, not a hyphen.')).toBeTruthy();
    await userEvent.type(identifier, '1');
    expect(identifier.getAttribute('aria-invalid')).toBeNull();
  });

  it('requires the mandatory unrestricted tag before sending, then registers and says it is being verified', async () => {
    const scripted = renderRegister({
      'POST /registrations': { status: 201, body: { ...acme, identifier: 'sams-shop', displayName: 'Sam Shop', status: 'PENDING_APPROVAL' } },
    });
    await userEvent.type(await screen.findByLabelText('Identifier'), 'sams-shop');
    await userEvent.type(screen.getByLabelText('Display name'), 'Sam Shop');
    await userEvent.click(screen.getByRole('button', { name: 'Register customer' }));
    expect(screen.getByText('This tag is mandatory.')).toBeTruthy();
    expect(scripted.sent.filter((r) => r.method === 'POST')).toHaveLength(0);
    await userEvent.type(screen.getByLabelText(/Cost center/), '4711');
    await userEvent.click(screen.getByRole('button', { name: 'Register customer' }));
    expect(await screen.findByRole('heading', { name: 'Your registration is being verified' })).toBeTruthy();
    expect(scripted.sent.find((r) => r.method === 'POST')?.body).toEqual({
      identifier: 'sams-shop', displayName: 'Sam Shop', tags: { costCenter: ['4711'] },
    });
  });

  it('puts a 409 identifier-taken and a tag error next to their fields', async () => {
    renderRegister({
      'POST /registrations': [
        problem(409, 'identifier-taken'),
        problem(400, 'validation-failed', 'invalid', { 'tags.costCenter': 'must be at most 9999' }),
      ],
    });
    await userEvent.type(await screen.findByLabelText('Identifier'), 'acme');
    await userEvent.type(screen.getByLabelText('Display name'), 'Acme');
    await userEvent.type(screen.getByLabelText(/Cost center/), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Register customer' }));
    expect(await screen.findByText('A customer with this identifier exists already. Choose another one.')).toBeTruthy();
    expect(screen.getByLabelText('Identifier').getAttribute('aria-invalid')).toBe('true');
    await userEvent.click(screen.getByRole('button', { name: 'Register customer' }));
    expect(await screen.findByText('must be at most 9999')).toBeTruthy();
    expect(screen.getByLabelText(/Cost center/).getAttribute('aria-invalid')).toBe('true');
  });

  it('says a 403 email-not-verified in words', async () => {
    renderRegister({ 'POST /registrations': problem(403, 'email-not-verified') });
    await userEvent.type(await screen.findByLabelText('Identifier'), 'sams-shop');
    await userEvent.type(screen.getByLabelText('Display name'), 'Sam Shop');
    await userEvent.type(screen.getByLabelText(/Cost center/), '1');
    await userEvent.click(screen.getByRole('button', { name: 'Register customer' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Your e-mail address is not verified yet.');
  });
});
