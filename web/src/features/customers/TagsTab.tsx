import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import { useQuery } from '@tanstack/react-query';
import { answer, type Schemas } from '../../api/client';
import { tagDefinitionsQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { useNotify } from '../../shared/notifications';
import { QueryState } from '../../shared/QueryState';
import { TagsForm } from '../../shared/tags/TagsForm';
import { useInvalidateCustomer } from './useCustomerWrites';

/** Customer Tags: every definition, restricted ones included (the admin area may set them). */
export function TagsTab({ customer, etag }: { customer: Schemas['Customer']; etag: string }) {
  const api = useApi();
  const notify = useNotify();
  const invalidate = useInvalidateCustomer();
  const definitions = useQuery(tagDefinitionsQuery(api));
  return (
    <Container header={<Header description="Restricted tags can be set only here, by the partner.">Customer Tags</Header>}>
      <QueryState query={definitions} label="The tag definitions">
        {(list) => (
          <TagsForm
            definitions={list.items}
            stored={customer.tags}
            save={async (changes) => {
              try {
                await answer(api.PATCH('/customers/{id}/tags', { params: { path: { id: customer.identifier }, header: { 'If-Match': etag } }, body: changes }));
                notify('success', `The tags of ${customer.identifier} were saved.`);
              } finally {
                await invalidate(customer.identifier);
              }
            }}
          />
        )}
      </QueryState>
    </Container>
  );
}
