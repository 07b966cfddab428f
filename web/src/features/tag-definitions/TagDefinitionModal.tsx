import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, etagOf, type Schemas } from '../../api/client';
import { keys } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { useNotify } from '../../shared/notifications';
import { formProblem, noProblem } from '../../shared/problems';
import type { TagDefinition } from '../../shared/tags/tagValues';
import { displayNameProblem } from '../../shared/validation';

type ValueType = Schemas['TagValueType'];

const VALUE_TYPE_LABEL: Record<ValueType, string> = {
  STRING: 'Text', EMAIL: 'E-mail addresses', INTEGER: 'Whole number', BOOLEAN: 'Yes or no',
  SINGLE_SELECT: 'One of a list', MULTI_SELECT: 'Any of a list',
};
const hasOptions = (t: ValueType) => t === 'SINGLE_SELECT' || t === 'MULTI_SELECT';
const FIELDS = ['key', 'displayName', 'description', 'valueType', 'pattern', 'options', 'mandatory', 'restricted'];

/** Create a tag definition, or edit one (its key and value type stay as they are). */
export function TagDefinitionModal({ editing, onDismiss }: { editing: TagDefinition | null; onDismiss: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [key, setKey] = useState(editing?.key ?? '');
  const [displayName, setDisplayName] = useState(editing?.displayName ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [valueType, setValueType] = useState<ValueType>(editing?.valueType ?? 'STRING');
  const [pattern, setPattern] = useState(editing?.pattern ?? '');
  const [options, setOptions] = useState((editing?.options ?? []).join('\n'));
  const [mandatory, setMandatory] = useState(editing?.mandatory ?? false);
  const [restricted, setRestricted] = useState(editing?.restricted ?? false);
  const [submitted, setSubmitted] = useState(false);
  const optionList = options.split('\n').map((o) => o.trim()).filter(Boolean);

  const save = useMutation({
    mutationFn: async () => {
      const body = {
        displayName: displayName.trim(),
        description: description.trim() || null,
        pattern: valueType === 'STRING' && pattern ? pattern : null,
        options: hasOptions(valueType) ? optionList : null,
        mandatory,
        restricted,
      };
      if (editing) {
        return answer(api.PUT('/tag-definitions/{key}', { params: { path: { key: editing.key }, header: { 'If-Match': etagOf(editing.version) } }, body }));
      }
      return answer(api.POST('/tag-definitions', { body: { ...body, key, valueType } }));
    },
    onSuccess: ({ data }) => {
      notify('success', `The tag ${data.displayName} (${data.key}) was ${editing ? 'saved' : 'created'}.`);
      onDismiss();
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.tagDefinitions }),
  });
  const problem = save.isError ? formProblem(save.error, FIELDS) : noProblem;
  const local: Record<string, string | null> = {
    key: submitted && !editing && !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(key) ? 'Start with a letter; then letters, digits, - or _ (at most 64 characters).' : null,
    displayName: submitted ? displayNameProblem(displayName) : null,
    options: submitted && hasOptions(valueType) && optionList.length === 0 ? 'Enter at least one option, one per line.' : null,
  };
  const errorOf = (f: string) => local[f] ?? problem.fields[f] ?? null;
  const submit = () => {
    setSubmitted(true);
    if ((!editing && !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(key)) || displayNameProblem(displayName) || (hasOptions(valueType) && optionList.length === 0)) return;
    save.mutate();
  };

  return (
    <Modal
      visible
      onDismiss={onDismiss}
      closeAriaLabel="Close"
      header={editing ? `Edit the tag ${editing.displayName}` : 'Create a tag'}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>Cancel</Button>
            <Button variant="primary" loading={save.isPending} onClick={submit}>{editing ? 'Save tag' : 'Create tag'}</Button>
          </SpaceBetween>
        </Box>
      }
    >
      <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Form errorText={problem.message}>
          <SpaceBetween size="m">
            <FormField label="Key" description={editing ? 'The key cannot be changed.' : 'The name in the API and the events. It cannot be changed later.'} errorText={errorOf('key')}>
              <Input value={key} onChange={({ detail }) => setKey(detail.value)} disabled={Boolean(editing)} />
            </FormField>
            <FormField label="Name" errorText={errorOf('displayName')}>
              <Input value={displayName} onChange={({ detail }) => setDisplayName(detail.value)} />
            </FormField>
            <FormField label="Description (optional)" errorText={errorOf('description')}>
              <Input value={description} onChange={({ detail }) => setDescription(detail.value)} />
            </FormField>
            <FormField label="Value type" description={editing ? 'The value type cannot be changed.' : undefined} errorText={errorOf('valueType')}>
              <Select
                disabled={Boolean(editing)}
                selectedOption={{ value: valueType, label: VALUE_TYPE_LABEL[valueType] }}
                options={(Object.keys(VALUE_TYPE_LABEL) as ValueType[]).map((t) => ({ value: t, label: VALUE_TYPE_LABEL[t] }))}
                onChange={({ detail }) => setValueType(detail.selectedOption.value as ValueType)}
              />
            </FormField>
            {valueType === 'STRING' ? (
              <FormField label="Pattern (optional)" description="A regular expression every value must match in whole, e.g. [0-9]{4}." errorText={errorOf('pattern')}>
                <Input value={pattern} onChange={({ detail }) => setPattern(detail.value)} spellcheck={false} />
              </FormField>
            ) : null}
            {hasOptions(valueType) ? (
              <FormField label="Options" description="One per line, in display order." errorText={errorOf('options') ?? Object.entries(problem.fields).filter(([f]) => f.startsWith('options[')).map(([, m]) => m).join('; ')}>
                <Textarea value={options} onChange={({ detail }) => setOptions(detail.value)} rows={4} />
              </FormField>
            ) : null}
            <Checkbox checked={mandatory} onChange={({ detail }) => setMandatory(detail.checked)} description="Required at registration (unrestricted) or at creation by a partner (restricted).">
              Mandatory
            </Checkbox>
            <Checkbox checked={restricted} onChange={({ detail }) => setRestricted(detail.checked)} description="Only partners set it; customers see it read-only.">
              Restricted
            </Checkbox>
          </SpaceBetween>
        </Form>
      </form>
    </Modal>
  );
}
