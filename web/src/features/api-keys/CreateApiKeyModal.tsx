import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import DatePicker from '@cloudscape-design/components/date-picker';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import RadioGroup from '@cloudscape-design/components/radio-group';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../auth/AuthContext';
import { ROLE_LABEL } from '../../shared/labels';
import { formProblem, noProblem } from '../../shared/problems';
import { displayNameProblem } from '../../shared/validation';
import { EXPIRY_CHOICES, expiresAtOf, expiryProblem, isSelectableDay, type ExpiryChoice } from './expiry';
import { createKey, keysQueryKey, ROLE_DESCRIPTION, rolesOf, type KeyRole, type KeyScope } from './keyScope';
import { NewKeyAlert } from './NewKeyAlert';

const FIELDS = ['name', 'role', 'expiresAt'];

/**
 * Create an API key: name, role, when it expires. The answer's key is shown in the modal, once;
 * closing the modal forgets it (the mutation keeps no copy in the query cache either).
 */
export function CreateApiKeyModal({ scope, scopeName, onDismiss }: { scope: KeyScope; scopeName: string; onDismiss: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const roles = rolesOf(scope);
  const [name, setName] = useState('');
  const [role, setRole] = useState<KeyRole>(roles[0]!);
  const [expiry, setExpiry] = useState<ExpiryChoice>('90');
  const [day, setDay] = useState('');
  const [submitted, setSubmitted] = useState(false);

  const create = useMutation({
    mutationFn: () => createKey(api, scope, { name: name.trim(), role, expiresAt: expiresAtOf(expiry, day) }),
    // The secret must not outlive this modal anywhere, the mutation cache included.
    gcTime: 0,
    onSettled: () => queryClient.invalidateQueries({ queryKey: keysQueryKey(scope) }),
  });
  const created = create.data ?? null;
  const problem = create.isError ? formProblem(create.error, FIELDS) : noProblem;
  const local: Record<string, string | null> = {
    name: submitted ? displayNameProblem(name, 'a name for the key') : null,
    expiresAt: submitted ? expiryProblem(expiry, day) : null,
  };
  const errorOf = (field: string) => local[field] ?? problem.fields[field] ?? null;
  const submit = () => {
    setSubmitted(true);
    if (displayNameProblem(name) || expiryProblem(expiry, day)) return;
    create.mutate();
  };
  const close = () => {
    create.reset();
    onDismiss();
  };

  if (created) {
    return (
      <Modal
        visible
        // A click beside the modal must not lose the key: only Done, the close button or Escape.
        onDismiss={({ detail }) => (detail.reason === 'overlay' ? undefined : close())}
        closeAriaLabel="Close"
        header={`API key ${created.name} created`}
        footer={<Box float="right"><Button variant="primary" onClick={close}>I have stored the key</Button></Box>}
      >
        <NewKeyAlert created={created} />
      </Modal>
    );
  }

  return (
    <Modal
      visible
      onDismiss={() => (create.isPending ? undefined : close())}
      closeAriaLabel="Close"
      header="Create an API key"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={close} disabled={create.isPending}>Cancel</Button>
            <Button variant="primary" loading={create.isPending} onClick={submit}>Create key</Button>
          </SpaceBetween>
        </Box>
      }
    >
      <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Form errorText={problem.message}>
          <SpaceBetween size="m">
            <Box variant="p">
              A program that sends this key calls the API as {scopeName}, with the role you choose, and never with more rights than
              you have now.
            </Box>
            <FormField label="Key name" description="Say which program uses it, e.g. billing-sync. History entries name the key." errorText={errorOf('name')}>
              <Input value={name} onChange={({ detail }) => setName(detail.value)} autoFocus />
            </FormField>
            <FormField label="Role" errorText={errorOf('role')}>
              <Select
                selectedOption={{ value: role, label: ROLE_LABEL[role], description: ROLE_DESCRIPTION[role] }}
                options={roles.map((r) => ({ value: r, label: ROLE_LABEL[r], description: ROLE_DESCRIPTION[r] }))}
                onChange={({ detail }) => setRole(detail.selectedOption.value as KeyRole)}
              />
            </FormField>
            <FormField label="Expires" description="An expired key is refused. Keys that live shorter leak less." errorText={expiry === 'date' ? null : errorOf('expiresAt')}>
              <RadioGroup value={expiry} items={EXPIRY_CHOICES} onChange={({ detail }) => setExpiry(detail.value as ExpiryChoice)} ariaLabel="Expires" />
            </FormField>
            {expiry === 'date' ? (
              <FormField label="Last day" description="The key works until the end of this day, your time; at most a year ahead." errorText={errorOf('expiresAt')}>
                <DatePicker
                  value={day}
                  onChange={({ detail }) => setDay(detail.value)}
                  isDateEnabled={(date) => isSelectableDay(date)}
                  placeholder="YYYY/MM/DD"
                  openCalendarAriaLabel={(d) => `Choose the last day${d ? `, ${d}` : ''}`}
                />
              </FormField>
            ) : null}
          </SpaceBetween>
        </Form>
      </form>
    </Modal>
  );
}
