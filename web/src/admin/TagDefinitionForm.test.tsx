import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { TagDefinition } from '../api/types';
import { fakeApi, problem, renderWithApi } from '../testing/render';
import { TagDefinitionForm } from './TagDefinitionsPage';

const noop = () => {};

describe('tag definition form', () => {
  it('creates a select tag with its options, one per line', async () => {
    const onDone = vi.fn();
    const { api, seen } = fakeApi([{ status: 201, body: {} }]);
    renderWithApi(<TagDefinitionForm editing={null} onDone={onDone} onCancel={noop} onReload={noop} />, api);
    await userEvent.type(screen.getByRole('textbox', { name: 'Key' }), 'billing');
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'Billing');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Value type' }), 'Single select');
    await userEvent.type(screen.getByRole('textbox', { name: 'Options' }), 'invoice{Enter}card');
    await userEvent.click(screen.getByRole('checkbox', { name: /Restricted/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Create tag' }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('The tag billing was created.'));
    expect(seen[0]).toMatchObject({
      method: 'POST', url: 'http://api.test/tag-definitions',
      body: { key: 'billing', displayName: 'Billing', valueType: 'SINGLE_SELECT', options: ['invoice', 'card'], pattern: null, restricted: true, mandatory: false },
    });
  });

  it('checks the key as it is typed and says a taken key next to it', async () => {
    const { api } = fakeApi([problem(409, { type: 'tag-key-taken', title: 'Conflict', detail: 'x' })]);
    renderWithApi(<TagDefinitionForm editing={null} onDone={noop} onCancel={noop} onReload={noop} />, api);
    const key = screen.getByRole('textbox', { name: 'Key' });
    await userEvent.type(key, '1abc');
    expect(screen.getByText('Start with a letter; then up to 63 letters, digits, _ or -.')).toBeTruthy();
    await userEvent.clear(key);
    await userEvent.type(key, 'costCenter');
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'Cost center');
    await userEvent.click(screen.getByRole('button', { name: 'Create tag' }));
    expect(await screen.findByText('A tag with this key exists already.')).toBeTruthy();
    expect(key.getAttribute('aria-invalid')).toBe('true');
  });

  it('replaces a definition with If-Match, key and type fixed', async () => {
    const editing: TagDefinition = {
      key: 'costCenter', displayName: 'Cost center', description: '', valueType: 'STRING', pattern: '[0-9]{4}',
      mandatory: false, restricted: true, version: 2,
    };
    const { api, seen } = fakeApi([problem(412, { type: 'precondition-failed', title: 'Precondition failed', detail: 'x' })]);
    const onReload = vi.fn();
    renderWithApi(<TagDefinitionForm editing={editing} onDone={noop} onCancel={noop} onReload={onReload} />, api);
    expect(screen.getByRole('textbox', { name: 'Key' }).hasAttribute('readonly')).toBe(true);
    expect((screen.getByRole('combobox', { name: 'Value type' }) as HTMLSelectElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Save tag' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Reload' }));
    expect(onReload).toHaveBeenCalled();
    expect(seen[0]).toMatchObject({ method: 'PUT', url: 'http://api.test/tag-definitions/costCenter', headers: { 'if-match': '"2"' } });
  });
});
