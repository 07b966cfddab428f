import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { TagDefinition, TagValueType } from '../api/types';
import { TagValueInput } from './TagValueInput';
import { tagValueProblem } from './tagValues';

const definition = (valueType: TagValueType, extra: Partial<TagDefinition> = {}): TagDefinition => ({
  key: 'k', displayName: 'Tag', description: '', valueType, mandatory: false, restricted: false, version: 1, ...extra,
});

function Harness({ def, initial = [] }: { def: TagDefinition; initial?: string[] }) {
  const [values, setValues] = useState<string[]>(initial);
  return (
    <>
      <TagValueInput definition={def} values={values} onChange={setValues} error={tagValueProblem(def, values)} />
      <output data-testid="values">{JSON.stringify(values)}</output>
    </>
  );
}

const shown = () => JSON.parse(screen.getByTestId('values').textContent ?? '[]') as string[];

describe('typed tag inputs', () => {
  it('STRING checks the pattern in whole', async () => {
    render(<Harness def={definition('STRING', { pattern: '[0-9]{4}' })} />);
    const input = screen.getByRole('textbox', { name: 'Tag' });
    await userEvent.type(input, '12345');
    expect(screen.getByText('Must match the pattern [0-9]{4}.')).toBeTruthy();
    await userEvent.type(input, '{Backspace}');
    expect(screen.queryByText(/Must match/)).toBeNull();
    expect(shown()).toEqual(['1234']);
  });

  it('EMAIL takes several addresses, comma-separated', async () => {
    render(<Harness def={definition('EMAIL')} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Tag' }), 'a@x.example, b@y.example');
    expect(shown()).toEqual(['a@x.example', 'b@y.example']);
    expect(screen.queryByText(/Enter e-mail addresses/)).toBeNull();
    await userEvent.type(screen.getByRole('textbox', { name: 'Tag' }), ', not-an-address');
    expect(screen.getByText(/Enter e-mail addresses/)).toBeTruthy();
  });

  it('INTEGER takes one whole number', async () => {
    render(<Harness def={definition('INTEGER')} />);
    await userEvent.type(screen.getByRole('textbox', { name: 'Tag' }), '4.5');
    expect(screen.getByText('Enter one whole number.')).toBeTruthy();
  });

  it('BOOLEAN and SINGLE_SELECT are selects whose "(not set)" removes the value', async () => {
    render(<Harness def={definition('SINGLE_SELECT', { options: ['invoice', 'card'] })} initial={['card']} />);
    const select = screen.getByRole('combobox', { name: 'Tag' });
    await userEvent.selectOptions(select, 'invoice');
    expect(shown()).toEqual(['invoice']);
    await userEvent.selectOptions(select, '(not set)');
    expect(shown()).toEqual([]);
  });

  it('BOOLEAN offers yes and no', async () => {
    render(<Harness def={definition('BOOLEAN')} />);
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Tag' }), 'Yes');
    expect(shown()).toEqual(['true']);
  });

  it('MULTI_SELECT is a group of checkboxes', async () => {
    render(<Harness def={definition('MULTI_SELECT', { options: ['eu', 'us', 'ap'], displayName: 'Regions' })} />);
    expect(screen.getByRole('group', { name: 'Regions' })).toBeTruthy();
    await userEvent.click(screen.getByRole('checkbox', { name: 'eu' }));
    await userEvent.click(screen.getByRole('checkbox', { name: 'ap' }));
    expect(shown()).toEqual(['eu', 'ap']);
  });

  it('a mandatory tag needs a value', () => {
    expect(tagValueProblem(definition('STRING', { mandatory: true }), [])).toBe('This tag is mandatory.');
  });
});
