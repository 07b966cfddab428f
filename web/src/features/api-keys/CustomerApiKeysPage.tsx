import Alert from '@cloudscape-design/components/alert';
import { blockedReason, useCustomer } from '../../shared/customerContext';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { ApiKeysTable } from './ApiKeysTable';

/** Account → API keys (customer admins): keys that act as a member of this customer only. */
export default function CustomerApiKeysPage() {
  const { customer, role } = useCustomer();
  useDocumentTitle(`API keys · ${customer.displayName}`);
  if (role !== 'CUSTOMER_ADMIN') return <Alert type="info">API keys are managed by the customer admins.</Alert>;
  return (
    <ApiKeysTable
      scope={{ kind: 'customer', customerId: customer.identifier }}
      scopeName={customer.displayName}
      variant="container"
      createBlocked={
        customer.status === 'DISABLED'
          ? `${customer.displayName} is disabled by its partner: no API keys can be created until it is enabled again. Keys can still be revoked.`
          : blockedReason(customer)
      }
    />
  );
}
