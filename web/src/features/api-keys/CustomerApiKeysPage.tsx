import Alert from '@cloudscape-design/components/alert';
import { useQuery } from '@tanstack/react-query';
import { membersQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { blockedReason, useCustomer } from '../../shared/customerContext';
import { personLabel } from '../../shared/labels';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { ApiKeysTable } from './ApiKeysTable';

/** Account → API keys (customer admins): keys that act as a member of this customer only. */
export default function CustomerApiKeysPage() {
  const { customer, role } = useCustomer();
  useDocumentTitle(`API keys · ${customer.displayName}`);
  const api = useApi();
  const isAdmin = role === 'CUSTOMER_ADMIN';
  // Who made a key, by name: the members' first page (the Users page reads the same, so it is
  // often there already); a creator not among them is shown by id.
  const members = useQuery({ ...membersQuery(api, customer.identifier, undefined), enabled: isAdmin });
  const people = Object.fromEntries((members.data?.items ?? []).map((m) => [m.userId, personLabel(m)]));
  if (!isAdmin) return <Alert type="info">API keys are managed by the customer admins.</Alert>;
  return (
    <ApiKeysTable
      scope={{ kind: 'customer', customerId: customer.identifier }}
      scopeName={customer.displayName}
      variant="container"
      people={people}
      createBlocked={
        customer.status === 'DISABLED'
          ? `${customer.displayName} is disabled by its partner: no API keys can be created until it is enabled again. Keys can still be revoked.`
          : blockedReason(customer)
      }
    />
  );
}
