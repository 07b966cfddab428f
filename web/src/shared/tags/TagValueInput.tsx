import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Multiselect from '@cloudscape-design/components/multiselect';
import Select from '@cloudscape-design/components/select';
import { useState } from 'react';
import { describeType, textFromValues, valuesFromText, type TagDefinition } from './tagValues';

const NOT_SET = { value: '', label: '(not set)' };

/**
 * One tag's input, typed by its definition. `values` empty means "no value" (the tag is absent,
 * or removed on an edit). The label is the tag's display name.
 */
export function TagValueInput({
  definition, values, onChange, error, readOnly,
}: {
  definition: TagDefinition;
  values: string[];
  onChange: (values: string[]) => void;
  error?: string | null;
  readOnly?: boolean;
}) {
  const label = `${definition.displayName}${definition.mandatory ? ' (required)' : ''}`;
  const description = [definition.description, describeType(definition), definition.restricted ? 'Restricted: set by the partner only.' : null]
    .filter(Boolean).join(' · ');
  const options = (definition.valueType === 'BOOLEAN'
    ? [{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }]
    : (definition.options ?? []).map((o) => ({ value: o, label: o })));

  let control;
  switch (definition.valueType) {
    case 'BOOLEAN':
    case 'SINGLE_SELECT': {
      const selected = options.find((o) => o.value === values[0]) ?? NOT_SET;
      control = (
        <Select
          selectedOption={selected}
          options={[NOT_SET, ...options]}
          disabled={readOnly}
          onChange={({ detail }) => onChange(detail.selectedOption.value ? [detail.selectedOption.value] : [])}
        />
      );
      break;
    }
    case 'MULTI_SELECT':
      control = (
        <Multiselect
          selectedOptions={options.filter((o) => values.includes(o.value))}
          options={options}
          disabled={readOnly}
          placeholder="Choose options"
          onChange={({ detail }) => onChange(detail.selectedOptions.map((o) => o.value ?? '').filter(Boolean))}
        />
      );
      break;
    default:
      control = <TextTagInput definition={definition} values={values} onChange={onChange} readOnly={readOnly} />;
  }
  return (
    <FormField label={label} description={description} errorText={error}>
      {control}
    </FormField>
  );
}

/** Keeps the typed text (e.g. a trailing comma) while handing the parsed values up. */
function TextTagInput({ definition, values, onChange, readOnly }: { definition: TagDefinition; values: string[]; onChange: (values: string[]) => void; readOnly?: boolean }) {
  const [text, setText] = useState(() => textFromValues(definition, values));
  const shown = valuesFromText(definition, text).join('\u0000') === values.join('\u0000') ? text : textFromValues(definition, values);
  return (
    <Input
      value={shown}
      readOnly={readOnly}
      inputMode={definition.valueType === 'INTEGER' ? 'numeric' : definition.valueType === 'EMAIL' ? 'email' : undefined}
      autoComplete={false}
      onChange={({ detail }) => {
        setText(detail.value);
        onChange(valuesFromText(definition, detail.value));
      }}
    />
  );
}
