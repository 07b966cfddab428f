import { useId, useState } from 'react';
import type { TagDefinition } from '../api/types';
import { Field, type FieldControlProps } from '../ui/Field';
import { describeType, textFromValues, valuesFromText } from './tagValues';

/**
 * One tag's input, typed by its definition. `values` empty means "no value" (the tag is absent,
 * or removed on an edit). The label is the tag's display name.
 */
export function TagValueInput({
  definition, values, onChange, error,
}: {
  definition: TagDefinition;
  values: string[];
  onChange: (values: string[]) => void;
  error?: string | null;
}) {
  const label = `${definition.displayName}${definition.mandatory ? ' (required)' : ''}`;
  const hint = [definition.description, describeType(definition), definition.restricted ? 'Restricted: only the admin area sets it.' : null]
    .filter(Boolean).join(' · ');

  if (definition.valueType === 'MULTI_SELECT') {
    return <MultiSelect definition={definition} label={label} hint={hint} values={values} onChange={onChange} error={error} />;
  }
  return (
    <Field label={label} hint={hint} error={error}>
      {(control) => {
        switch (definition.valueType) {
          case 'BOOLEAN':
            return (
              <select {...control} value={values[0] ?? ''} onChange={(e) => onChange(e.target.value ? [e.target.value] : [])}>
                <option value="">(not set)</option>
                <option value="true">Yes</option>
                <option value="false">No</option>
              </select>
            );
          case 'SINGLE_SELECT':
            return (
              <select {...control} value={values[0] ?? ''} onChange={(e) => onChange(e.target.value ? [e.target.value] : [])}>
                <option value="">(not set)</option>
                {(definition.options ?? []).map((option) => <option key={option} value={option}>{option}</option>)}
              </select>
            );
          default:
            return <TextTagInput control={control} definition={definition} values={values} onChange={onChange} />;
        }
      }}
    </Field>
  );
}

/** Keeps the typed text (e.g. a trailing comma) while handing the parsed values up. */
function TextTagInput({
  control, definition, values, onChange,
}: {
  control: FieldControlProps;
  definition: TagDefinition;
  values: string[];
  onChange: (values: string[]) => void;
}) {
  const [text, setText] = useState(() => textFromValues(definition, values));
  const shown = valuesFromText(definition, text).join('\u0000') === values.join('\u0000') ? text : textFromValues(definition, values);
  return (
    <input
      {...control}
      type="text"
      inputMode={definition.valueType === 'INTEGER' ? 'numeric' : definition.valueType === 'EMAIL' ? 'email' : undefined}
      autoComplete="off"
      value={shown}
      onChange={(e) => {
        setText(e.target.value);
        onChange(valuesFromText(definition, e.target.value));
      }}
    />
  );
}

function MultiSelect({
  definition, label, hint, values, onChange, error,
}: {
  definition: TagDefinition;
  label: string;
  hint: string;
  values: string[];
  onChange: (values: string[]) => void;
  error?: string | null;
}) {
  const id = useId();
  return (
    <fieldset aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}>
      <legend>{label}</legend>
      {(definition.options ?? []).map((option) => (
        <label key={option} className="check">
          <input
            type="checkbox"
            checked={values.includes(option)}
            onChange={(e) => onChange(e.target.checked ? [...values, option] : values.filter((v) => v !== option))}
          />{' '}
          {option}
        </label>
      ))}
      <p id={`${id}-hint`} className="hint">{hint}</p>
      {error ? <p id={`${id}-error`} className="field-error">{error}</p> : null}
    </fieldset>
  );
}
