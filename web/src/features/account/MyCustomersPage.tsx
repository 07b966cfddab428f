import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { useQuery } from '@tanstack/react-query';
import type { Schemas } from '../../api/client';
import { myCustomersQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { ROLE_LABEL, STATUS_INDICATOR, STATUS_LABEL } from '../../shared/labels';
import { MemberEnd } from '../../shared/membershipEnd/MemberEnd';
import { useFollow } from '../../shared/navigation';
import { problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useDocumentTitle } from '../../shared/useDocumentTitle';

/** `/my`: the customers the caller is a member of; each opens its Account pages. */
export function MyCustomersPage() {
  useDocumentTitle('My customers');
  const api = useApi();
  const follow = useFollow();
  const mine = useQuery(myCustomersQuery(api));
  return (
    <Table<Schemas['MyCustomer']>
      variant="full-page"
      header={
        <Header
          variant="awsui-h1-sticky"
          counter={mine.data ? `(${mine.data.items.length})` : undefined}
          actions={<Button href="/register" onFollow={follow}>Register a customer</Button>}
          description="The customers you are a member of."
        >
          My customers
        </Header>
      }
      items={mine.data?.items ?? []}
      loading={mine.isPending}
      loadingText="Loading your customers"
      trackBy="customerId"
      wrapLines
      empty={
        mine.isError ? (
          <Box color="text-status-error">{problemSentence(mine.error)}</Box>
        ) : (
          <Box textAlign="center">
            <b>You are not a member of any customer yet.</b>
            <Box variant="p">Accept an invitation from your e-mail, or <Link href="/register" onFollow={follow}>register a customer</Link>.</Box>
          </Box>
        )
      }
      columnDefinitions={[
        {
          id: 'name',
          header: 'Customer',
          isRowHeader: true,
          cell: (c) => <Link href={`/my/customers/${c.customerId}/users`} onFollow={follow}>{`${c.displayName} (${c.customerId})`}</Link>,
        },
        { id: 'role', header: 'Your role', cell: (c) => ROLE_LABEL[c.role] },
        { id: 'status', header: 'Status', cell: (c) => <StatusIndicator type={STATUS_INDICATOR[c.status]}>{STATUS_LABEL[c.status]}</StatusIndicator> },
        { id: 'joined', header: 'Joined', cell: (c) => <Time iso={c.joinedAt} /> },
        { id: 'ends', header: 'Your membership ends', minWidth: 190, cell: (c) => <MemberEnd expiresAt={c.expiresAt} /> },
      ]}
    />
  );
}
