import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { TagDefinition } from '../api/types';
import { exampleCustomer, fakeApi, inCustomer, problem, renderWithApi } from '../testing/render';
import { TagsForm } from './TagsSection';

const definitions: TagDefinition[] = [
  { key: 'costCenter', displayName: 'Cost center', description: '', valueType: 'STRING', pattern: '[0-9]{4}', mandatory: false, restricted: true, version: 1 },
  { key: 'billing', displayName: 'Billing', description: '', valueType: 'SINGLE_SELECT', options: ['invoice', 'card'], mandatory: false, restricted: false, version: 1 },
  { key: 'seats', displayName: 'Seats', description: '', valueType: 'INTEGER', mandatory: false, restricted: false, version: 1 },
];
const customer = { ...exampleCustomer, tags: { costCenter: ['4711'], billing: ['card'], legacy: ['x'] } };

describe('tags form', () => {
  it('sends only changed keys, null for an emptied one, with If-Match', async () => {
    const replace = vi.fn();
    const { api, seen } = fakeApi([{ status: 200, body: customer, headers: { etag: '"4"' } }]);
    renderWithApi(inCustomer(<TagsForm definitions={definitions} onSaved={() => {}} />, { customer, replace }), api);
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Billing' }), '(not set)');
    await userEvent.type(screen.getByRole('textbox', { name: 'Seats' }), '12');
    await userEvent.click(screen.getByRole('checkbox', { name: /Remove legacy/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Save tags' }));
    await waitFor(() => expect(replace).toHaveBeenCalled());
    expect(seen[0]).toMatchObject({
      method: 'PATCH', url: 'http://api.test/customers/globex/tags', headers: { 'if-match': '"3"' },
      body: { billing: null, seats: ['12'], legacy: null },
    });
    expect(Object.keys(seen[0]!.body as object)).not.toContain('costCenter');
  });

  it('shows the API\'s tags.<key> error next to that tag', async () => {
    const { api } = fakeApi([problem(400, { errors: { 'tags.seats': 'must be a whole number' } })]);
    renderWithApi(inCustomer(<TagsForm definitions={definitions} onSaved={() => {}} />, { customer }), api);
    await userEvent.type(screen.getByRole('textbox', { name: 'Seats' }), '7');
    await userEvent.click(screen.getByRole('button', { name: 'Save tags' }));
    const seats = screen.getByRole('textbox', { name: 'Seats' });
    await waitFor(() => expect(seats.getAttribute('aria-invalid')).toBe('true'));
    const errorId = seats.getAttribute('aria-describedby')!.split(' ').find((id) => id.endsWith('-error'))!;
    expect(document.getElementById(errorId)?.textContent).toBe('must be a whole number');
  });
});
