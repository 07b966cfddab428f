import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Tabs from '@cloudscape-design/components/tabs';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate, useParams } from 'react-router-dom';
import { customerQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { quotaText, STATUS_INDICATOR, STATUS_LABEL } from '../../shared/labels';
import { Loading } from '../../shared/Loading';
import { NoAccess } from '../../shared/QueryState';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { CUSTOMER_SECTIONS } from './sections';
import { HistoryTab } from './HistoryTab';
import { MessagesTab } from './MessagesTab';
import { QuotaTab } from './QuotaTab';
import StatusChangeModal from './StatusChangeModal';
import { STATUS_CHANGE_LABEL, statusChangesOf, type StatusChange } from './statusChanges';
import { TagsTab } from './TagsTab';
import { UsersTab } from './UsersTab';

type Section = (typeof CUSTOMER_SECTIONS)[number]['id'];

/** `/admin/customers/:id/:section`: one customer of the admin area, a tab per seed action. */
export default function CustomerPage() {
  const { id = '', section = 'users' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const location = useLocation();
  const listSearch = (location.state as { customersList?: string } | null)?.customersList ?? '';
  const query = useQuery(customerQuery(api, id));
  const [statusChange, setStatusChange] = useState<StatusChange | null>(null);
  const sectionInfo = CUSTOMER_SECTIONS.find((s) => s.id === section);
  useDocumentTitle(`${sectionInfo?.text ?? ''} · ${query.data?.customer.displayName ?? id}`);
  if (!sectionInfo) return <Navigate to={`/admin/customers/${id}/users`} replace />;

  const go = (href: string) => navigate(href, { state: location.state });
  const breadcrumbs = (
    <BreadcrumbGroup
      ariaLabel="Breadcrumbs"
      items={[
        { text: 'Customers', href: `/admin/customers${listSearch}` },
        { text: query.data?.customer.displayName ?? id, href: `/admin/customers/${id}/users` },
      ]}
      onFollow={(e) => { e.preventDefault(); navigate(e.detail.href); }}
    />
  );

  if (query.isError) {
    return (
      <SpaceBetween size="m">
        {breadcrumbs}
        <Header variant="h1">{id}</Header>
        <NoAccess customerId={id} error={query.error} backTo={{ href: `/admin/customers${listSearch}`, label: 'Back to the customers' }} />
      </SpaceBetween>
    );
  }
  if (!query.data) return <Loading label="Loading the customer…" />;
  const { customer, etag } = query.data;
  const changes = statusChangesOf(customer);

  const content = (tab: Section) => {
    switch (tab) {
      case 'users': return <UsersTab customer={customer} />;
      case 'messages': return <MessagesTab customer={customer} />;
      case 'quota': return <QuotaTab customer={customer} etag={etag} />;
      case 'tags': return <TagsTab customer={customer} etag={etag} />;
      case 'history': return <HistoryTab customer={customer} />;
    }
  };

  return (
    <ContentLayout
      breadcrumbs={breadcrumbs}
      header={
        <Header
          variant="h1"
          description={
            <SpaceBetween direction="horizontal" size="s">
              <span>{customer.identifier}</span>
              <StatusIndicator type={STATUS_INDICATOR[customer.status]}>{STATUS_LABEL[customer.status]}</StatusIndicator>
              <span>{quotaText(customer.projectCount, customer.projectQuota)}</span>
            </SpaceBetween>
          }
          actions={
            changes.length > 0 ? (
              <SpaceBetween direction="horizontal" size="xs">
                {changes.map((change) => (
                  <Button key={change} variant={change === 'approve' ? 'primary' : 'normal'} onClick={() => setStatusChange(change)}>
                    {`${STATUS_CHANGE_LABEL[change]} ${customer.identifier}`}
                  </Button>
                ))}
              </SpaceBetween>
            ) : undefined
          }
        >
          {customer.displayName}
        </Header>
      }
    >
      <Tabs
        activeTabId={section}
        ariaLabel="Customer sections"
        onChange={({ detail }) => go(`/admin/customers/${id}/${detail.activeTabId}`)}
        tabs={CUSTOMER_SECTIONS.map((s) => ({
          id: s.id,
          label: s.text,
          content: s.id === section ? content(s.id) : null,
        }))}
      />
      {statusChange ? (
        <StatusChangeModal
          customer={customer}
          change={statusChange}
          onDismiss={() => setStatusChange(null)}
          onDone={statusChange === 'reject' ? () => navigate(`/admin/customers${listSearch}`) : undefined}
        />
      ) : null}
    </ContentLayout>
  );
}
