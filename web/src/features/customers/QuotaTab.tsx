import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, type Schemas } from '../../api/client';
import { useApi } from '../../auth/AuthContext';
import { quotaText } from '../../shared/labels';
import { useNotify } from '../../shared/notifications';
import { formProblem, isStale, noProblem } from '../../shared/problems';
import { StaleAlert } from '../../shared/StaleAlert';
import { useInvalidateCustomer } from './useCustomerWrites';

type Customer = Schemas['Customer'];

function quotaProblem(text: string): string | null {
  if (!/^\d+$/.test(text.trim())) return 'Enter a whole number from 0 to 10000.';
  const value = Number(text);
  return value > 10000 ? 'At most 10000.' : null;
}

/** The maximum number of projects; sent with the customer's ETag, a 412 offers to apply it again. */
export function QuotaTab({ customer, etag }: { customer: Customer; etag: string }) {
  const api = useApi();
  const notify = useNotify();
  const invalidate = useInvalidateCustomer();
  const [text, setText] = useState(String(customer.projectQuota));
  const [touched, setTouched] = useState(false);
  const save = useMutation({
    mutationFn: (projectQuota: number) =>
      answer(api.PUT('/customers/{id}/quota', { params: { path: { id: customer.identifier }, header: { 'If-Match': etag } }, body: { projectQuota } })),
    onSuccess: ({ data }) => notify('success', `The project quota of ${customer.identifier} is now ${data.projectQuota}.`),
    onSettled: () => invalidate(customer.identifier),
  });
  const localError = touched ? quotaProblem(text) : null;
  const stale = save.isError && isStale(save.error);
  const problem = save.isError && !stale ? formProblem(save.error, ['projectQuota']) : noProblem;
  const submit = () => {
    setTouched(true);
    if (!quotaProblem(text)) save.mutate(Number(text));
  };

  return (
    <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <Form actions={<Button variant="primary" loading={save.isPending}>Save quota</Button>} errorText={problem.message}>
        <Container header={<Header description="The maximum number of projects the customer may have. Lowering it below the current count only blocks new projects.">Project quota</Header>}>
          <SpaceBetween size="m">
            {stale ? (
              <StaleAlert current={`quota ${customer.projectQuota}`} mine={`quota ${text}`} onReapply={submit} busy={save.isPending} />
            ) : null}
            <Box>Now: {quotaText(customer.projectCount, customer.projectQuota)}.</Box>
            <FormField label="Maximum number of projects" constraintText="0 to 10000" errorText={localError ?? problem.fields.projectQuota}>
              <Input type="number" inputMode="numeric" value={text} onChange={({ detail }) => setText(detail.value)} />
            </FormField>
          </SpaceBetween>
        </Container>
      </Form>
    </form>
  );
}
