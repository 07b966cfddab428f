import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, renderPage } from '../../testing/render';
import { TagsForm } from './TagsForm';
import type { TagDefinition } from './tagValues';

const costCenter: TagDefinition = { key: 'costCenter', displayName: 'Cost center', description: '', valueType: 'STRING', pattern: '[0-9]{4}', mandatory: false, restricted: false, version: 1 };
const owner: TagDefinition = { key: 'owner', displayName: 'Owner', description: '', valueType: 'EMAIL', mandatory: false, restricted: false, version: 1 };

describe('TagsForm', () => {
  it('sends only the keys that changed (null removes one), and checks a value by its definition first', async () => {
    const save = vi.fn(async () => undefined);
    renderPage(<TagsForm definitions={[costCenter, owner]} stored={{ costCenter: ['1234'], owner: ['a@b.example'], secret: ['kept'] }} save={save} />, { api: fakeApi([]).api });
    const cost = await screen.findByRole('textbox', { name: /Cost center/ });
    await userEvent.clear(cost);
    await userEvent.type(cost, '12x');
    expect(await screen.findByText('Must match the pattern [0-9]{4}.')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Save tags' }));
    expect(save).not.toHaveBeenCalled();

    await userEvent.clear(cost);
    await userEvent.type(cost, '4321');
    await userEvent.clear(screen.getByRole('textbox', { name: /Owner/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Save tags' }));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    expect(save).toHaveBeenCalledWith({ costCenter: ['4321'], owner: null });
  });
});
