import Alert from '@cloudscape-design/components/alert';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { useQuery } from '@tanstack/react-query';
import { Outlet, useLocation, useNavigate, useParams } from 'react-router-dom';
import { customerQuery, myCustomersQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { ROLE_LABEL, STATUS_INDICATOR, STATUS_LABEL } from '../../shared/labels';
import { Loading } from '../../shared/Loading';
import { NoAccess } from '../../shared/QueryState';
import { blockedReason, type CustomerContext } from '../../shared/customerContext';

/**
 * Every page of one of the caller's customers: the customer switcher at the top left, the
 * customer's name and status, and why it cannot be changed when it is not active.
 */
export function CustomerLayout() {
  const { id = '' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const mine = useQuery(myCustomersQuery(api));
  const customer = useQuery(customerQuery(api, id));
  const membership = mine.data?.items.find((c) => c.customerId === id);
  const section = pathname.split('/')[4] ?? 'users';

  const switcher = (
    <FormField label="Customer">
      <Select
        selectedOption={membership ? { value: id, label: `${membership.displayName} (${id})` } : { value: id, label: id }}
        options={(mine.data?.items ?? []).map((c) => ({ value: c.customerId, label: `${c.displayName} (${c.customerId})`, description: ROLE_LABEL[c.role] }))}
        onChange={({ detail }) => navigate(`/my/customers/${detail.selectedOption.value}/${section === 'projects' ? 'projects' : section}`)}
        statusType={mine.isPending ? 'loading' : 'finished'}
        loadingText="Loading your customers"
      />
    </FormField>
  );

  // Not (or no longer) a member: said in words, with the way to the customers the caller has.
  const lost = customer.isError || (mine.data && !membership);
  if (lost) {
    return (
      <SpaceBetween size="m">
        <Header variant="h1">{id}</Header>
        <NoAccess customerId={id} error={customer.error} backTo={{ href: '/my', label: 'Go to my customers' }} />
      </SpaceBetween>
    );
  }
  if (!customer.data || !membership) return <Loading label="Loading the customer…" />;
  const context: CustomerContext = { customer: customer.data.customer, etag: customer.data.etag, role: membership.role };
  const blocked = blockedReason(context.customer);

  return (
    <ContentLayout
      header={
        <SpaceBetween size="m">
          <div className="customer-switcher">{switcher}</div>
          <Header
            variant="h1"
            description={
              <SpaceBetween direction="horizontal" size="s">
                <span>{id}</span>
                <StatusIndicator type={STATUS_INDICATOR[context.customer.status]}>{STATUS_LABEL[context.customer.status]}</StatusIndicator>
                <span>You are {ROLE_LABEL[membership.role].toLowerCase()}</span>
              </SpaceBetween>
            }
          >
            {context.customer.displayName}
          </Header>
          {blocked ? <Alert type="warning">{blocked}</Alert> : null}
        </SpaceBetween>
      }
    >
      <Outlet context={context} />
    </ContentLayout>
  );
}
