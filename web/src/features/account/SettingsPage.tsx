import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer } from '../../api/client';
import { keys, tagDefinitionsQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { quotaText, STATUS_LABEL } from '../../shared/labels';
import { useNotify } from '../../shared/notifications';
import { formProblem, isStale, noProblem } from '../../shared/problems';
import { QueryState } from '../../shared/QueryState';
import { StaleAlert } from '../../shared/StaleAlert';
import { TagsForm } from '../../shared/tags/TagsForm';
import { Time } from '../../shared/time';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { displayNameProblem } from '../../shared/validation';
import { blockedReason, useCustomer } from '../../shared/customerContext';

/** Account settings: what the customer is; customer admins rename it and set its unrestricted tags. */
export function SettingsPage() {
  const { customer, etag, role } = useCustomer();
  useDocumentTitle(`Account settings · ${customer.displayName}`);
  const api = useApi();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const definitions = useQuery(tagDefinitionsQuery(api));
  const canEdit = role === 'CUSTOMER_ADMIN' && !blockedReason(customer);
  const invalidate = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: keys.customer(customer.identifier) }), queryClient.invalidateQueries({ queryKey: keys.myCustomers })]);

  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">Account</Header>}>
        <KeyValuePairs
          columns={3}
          items={[
            { label: 'Identifier', value: customer.identifier },
            { label: 'Status', value: STATUS_LABEL[customer.status] },
            { label: 'Projects', value: quotaText(customer.projectCount, customer.projectQuota) },
            { label: 'Created', value: <Time iso={customer.createdAt} /> },
          ]}
        />
      </Container>
      {canEdit ? <RenameForm /> : null}
      <Container header={<Header variant="h2" description={canEdit ? 'Restricted tags are set by your partner and shown read-only.' : undefined}>Tags</Header>}>
        <QueryState query={definitions} label="The tag definitions">
          {(list) => {
            const open = list.items.filter((d) => !d.restricted);
            const restricted = list.items.filter((d) => d.restricted);
            return (
              <SpaceBetween size="l">
                {canEdit ? (
                  <TagsForm
                    definitions={open}
                    stored={customer.tags}
                    save={async (changes) => {
                      try {
                        await answer(api.PATCH('/customers/{id}/tags', { params: { path: { id: customer.identifier }, header: { 'If-Match': etag } }, body: changes }));
                        notify('success', 'The tags were saved.');
                      } finally {
                        await invalidate();
                      }
                    }}
                  />
                ) : null}
                {(canEdit ? restricted : list.items).length > 0 ? (
                  <SpaceBetween size="s">
                    {canEdit ? <Header variant="h3">Set by your partner</Header> : null}
                    <KeyValuePairs
                      columns={2}
                      items={(canEdit ? restricted : list.items).map((d) => ({ label: d.displayName, value: (customer.tags[d.key] ?? []).join(', ') || '—' }))}
                    />
                  </SpaceBetween>
                ) : null}
              </SpaceBetween>
            );
          }}
        </QueryState>
      </Container>
    </SpaceBetween>
  );
}

function RenameForm() {
  const { customer, etag } = useCustomer();
  const api = useApi();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [name, setName] = useState(customer.displayName);
  const rename = useMutation({
    mutationFn: () => answer(api.PATCH('/customers/{id}', { params: { path: { id: customer.identifier }, header: { 'If-Match': etag } }, body: { displayName: name.trim() } })),
    onSuccess: () => notify('success', 'The display name was saved.'),
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: keys.customer(customer.identifier) }), queryClient.invalidateQueries({ queryKey: keys.myCustomers })]),
  });
  const stale = rename.isError && isStale(rename.error);
  const problem = rename.isError && !stale ? formProblem(rename.error, ['displayName']) : noProblem;
  const localError = displayNameProblem(name, 'a display name');
  const submit = () => { if (!localError) rename.mutate(); };
  return (
    <form aria-label="Rename the customer" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <Form actions={<Button variant="primary" loading={rename.isPending} disabled={name.trim() === customer.displayName}>Save display name</Button>} errorText={problem.message}>
        <Container header={<Header variant="h2">Display name</Header>}>
          <SpaceBetween size="m">
            {stale ? <StaleAlert current={`“${customer.displayName}”`} mine={`“${name.trim()}”`} onReapply={submit} busy={rename.isPending} /> : null}
            <FormField label="Display name" errorText={(name ? localError : null) ?? problem.fields.displayName}>
              <Input value={name} onChange={({ detail }) => setName(detail.value)} />
            </FormField>
          </SpaceBetween>
        </Container>
      </Form>
    </form>
  );
}
