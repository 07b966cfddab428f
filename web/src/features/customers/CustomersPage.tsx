import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ButtonDropdown, { type ButtonDropdownProps } from '@cloudscape-design/components/button-dropdown';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { type Schemas } from '../../api/client';
import { customersQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { CursorPagination } from '../../shared/CursorPagination';
import { CUSTOMER_STATUSES, quotaText, STATUS_INDICATOR, STATUS_LABEL, type CustomerStatus } from '../../shared/labels';
import { problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { useListParams } from '../../shared/useListParams';
import { useNarrowScreen } from '../../shared/useNarrowScreen';
import { CUSTOMER_SECTIONS } from './sections';
import { STATUS_CHANGE_LABEL, statusChangesOf, type StatusChange } from './statusChanges';

// The confirmation modals load when a status change is chosen, not with the list.
const StatusChangeModal = lazy(() => import('./StatusChangeModal'));

type Customer = Schemas['Customer'];


const STATUS_CHANGE_ICON: Record<StatusChange, ButtonDropdownProps.Item['iconName']> = {
  approve: 'status-positive', reject: 'close', disable: 'status-stopped', enable: 'status-positive',
};

const ALL_STATUSES = { value: '', label: 'Any status' };

/** Admin Area → Customers: the customers in scope; search, status and page live in the URL. */
export function CustomersPage() {
  useDocumentTitle('Customers');
  const api = useApi();
  const navigate = useNavigate();
  const location = useLocation();
  const list = useListParams(['q', 'status']);
  const { q, status } = list.filters as { q: string; status: CustomerStatus | '' };
  const [searchText, setSearchText] = useState(q);
  const [statusChange, setStatusChange] = useState<{ customer: Customer; change: StatusChange } | null>(null);

  const query = useQuery(customersQuery(api, { q, status, cursor: list.cursor }));
  const items = query.data?.items ?? [];
  const nextCursor = query.data?.nextCursor;
  // The customer's pages come back here with the list as it was (search, status, page).
  const open = (href: string) => navigate(href, { state: { customersList: location.search } });

  const statusOption = status ? { value: status, label: STATUS_LABEL[status] } : ALL_STATUSES;
  const countText = `${items.length}${nextCursor ? '+' : ''}`;
  // On a phone: the customer (with its status under it) and the actions, as an icon button.
  const narrow = useNarrowScreen();

  return (
    <>
      <Table<Customer>
        variant="full-page"
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={query.data ? `(${list.pageIndex > 1 ? `page ${list.pageIndex}: ` : ''}${countText})` : undefined}
            description="The customers your partner manages. Open one to see its users, send a message, set its quota and tags, or read its history."
            actions={<Button variant="primary" iconName="add-plus" href="/admin/customers/new" onFollow={(e) => { e.preventDefault(); navigate('/admin/customers/new'); }}>Create Customer</Button>}
          >
            Customers
          </Header>
        }
        loading={query.isPending}
        loadingText="Loading customers"
        items={items}
        trackBy="identifier"
        wrapLines
        // The row's actions stay in view when the table scrolls sideways (a phone).
        stickyColumns={{ first: 0, last: 1 }}
        columnDisplay={narrow ? NARROW_COLUMNS : undefined}
        filter={
          <div className="list-filters">
            <div className="list-filters__search">
              <TextFilter
                filteringText={searchText}
                filteringPlaceholder="Search by identifier or name"
                filteringAriaLabel="Search customers"
                filteringClearAriaLabel="Clear the search"
                countText={query.data ? `${countText} ${items.length === 1 ? 'match' : 'matches'}` : undefined}
                onChange={({ detail }) => setSearchText(detail.filteringText)}
                onDelayedChange={({ detail }) => list.setFilter('q', detail.filteringText.trim())}
              />
            </div>
            <Select
              selectedOption={statusOption}
              options={[ALL_STATUSES, ...CUSTOMER_STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] }))]}
              onChange={({ detail }) => list.setFilter('status', detail.selectedOption.value ?? '')}
              ariaLabel="Status"
              inlineLabelText="Status"
            />
          </div>
        }
        pagination={<CursorPagination list={list} nextCursor={nextCursor} disabled={query.isFetching} />}
        empty={
          query.isError ? (
            <Box color="text-status-error">{problemSentence(query.error)}</Box>
          ) : (
            <Box textAlign="center" color="inherit">
              <b>{q || status ? 'No customer matches' : 'No customers yet'}</b>
              <Box variant="p" color="inherit">{q || status ? 'Change the search or the status filter.' : 'Create the first one.'}</Box>
            </Box>
          )
        }
        columnDefinitions={[
          {
            id: 'name',
            header: 'Customer',
            cell: (c) => (
              <SpaceBetween size="xxxs">
                <Link href={`/admin/customers/${c.identifier}/users`} onFollow={(e) => { e.preventDefault(); open(`/admin/customers/${c.identifier}/users`); }}>
                  {c.displayName}
                </Link>
                <Box variant="small">{c.identifier}</Box>
                {narrow ? <StatusIndicator type={STATUS_INDICATOR[c.status]}>{STATUS_LABEL[c.status]}</StatusIndicator> : null}
              </SpaceBetween>
            ),
            isRowHeader: true,
            minWidth: 160,
          },
          { id: 'status', header: 'Status', minWidth: 150, cell: (c) => <StatusIndicator type={STATUS_INDICATOR[c.status]}>{STATUS_LABEL[c.status]}</StatusIndicator> },
          { id: 'projects', header: 'Projects', minWidth: 120, cell: (c) => quotaText(c.projectCount, c.projectQuota) },
          { id: 'created', header: 'Created', minWidth: 120, cell: (c) => <Time iso={c.createdAt} /> },
          {
            id: 'actions',
            header: 'Actions',
            minWidth: narrow ? 72 : 150,
            cell: (c) => (
              <CustomerActions
                compact={narrow}
                customer={c}
                onOpen={open}
                onStatusChange={(change) => setStatusChange({ customer: c, change })}
              />
            ),
          },
        ]}
      />
      {statusChange ? (
        <Suspense fallback={null}>
          <StatusChangeModal customer={statusChange.customer} change={statusChange.change} onDismiss={() => setStatusChange(null)} />
        </Suspense>
      ) : null}
    </>
  );
}

const NARROW_COLUMNS = ['name', 'status', 'projects', 'created', 'actions'].map((id) => ({ id, visible: id === 'name' || id === 'actions' }));

/** A row's actions: Users at hand, the other pages and the status changes in the drop-down. */
function CustomerActions({ customer, compact, onOpen, onStatusChange }: { customer: Customer; compact: boolean; onOpen: (href: string) => void; onStatusChange: (change: StatusChange) => void }) {
  const href = (section: string) => `/admin/customers/${customer.identifier}/${section}`;
  const changes = statusChangesOf(customer);
  const items: ButtonDropdownProps.ItemOrGroup[] = [
    {
      text: 'Customer pages',
      items: CUSTOMER_SECTIONS.map((s) => ({ id: s.id, text: s.text, iconName: s.iconName, href: href(s.id) })),
    },
  ];
  if (changes.length > 0) {
    items.push({
      text: 'Status',
      items: changes.map((change) => ({ id: change, text: `${STATUS_CHANGE_LABEL[change]}…`, iconName: STATUS_CHANGE_ICON[change] })),
    });
  }
  return (
    <ButtonDropdown
      items={items}
      variant={compact ? 'icon' : 'normal'}
      ariaLabel={`Actions for ${customer.identifier}`}
      expandToViewport
      onItemFollow={(e) => {
        if (!e.detail.href) return;
        e.preventDefault();
        onOpen(e.detail.href);
      }}
      onItemClick={({ detail }) => {
        if (!detail.href) onStatusChange(detail.id as StatusChange);
      }}
    >
      Actions
    </ButtonDropdown>
  );
}
