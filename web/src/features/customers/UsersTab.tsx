import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, type Schemas } from '../../api/client';
import { invitationsQuery, keys, membersQuery, myCustomersQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { ConfirmModal } from '../../shared/ConfirmModal';
import { CursorPagination } from '../../shared/CursorPagination';
import { INVITATION_STATUS_INDICATOR, INVITATION_STATUS_LABEL, JOINED_VIA_LABEL, ROLE_LABEL } from '../../shared/labels';
import { useFollow } from '../../shared/navigation';
import { useNotify } from '../../shared/notifications';
import { problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useListParams } from '../../shared/useListParams';

type Customer = Schemas['Customer'];

/**
 * A customer's users as the admin area sees them: members and invitations (read only), and "Add
 * Myself" at the top right, which gives the caller the customer-internal rights.
 */
export function UsersTab({ customer }: { customer: Customer }) {
  const api = useApi();
  const id = customer.identifier;
  const members = useListParams([], 'users');
  const invitations = useListParams([], 'invitations');
  const membersRead = useQuery(membersQuery(api, id, members.cursor));
  const invitationsRead = useQuery(invitationsQuery(api, id, invitations.cursor));
  const mine = useQuery(myCustomersQuery(api));
  const membership = mine.data?.items.find((c) => c.customerId === id);
  const [adding, setAdding] = useState(false);
  const follow = useFollow();

  const addMyselfDisabledReason = membership
    ? `You are a member of ${id} already (${ROLE_LABEL[membership.role].toLowerCase()}).`
    : customer.status !== 'ACTIVE'
      ? 'Only an active customer takes new members.'
      : undefined;

  return (
    <SpaceBetween size="l">
      <Table<Schemas['Membership']>
        header={
          <Header
            counter={membersRead.data ? `(${membersRead.data.items.length}${membersRead.data.nextCursor ? '+' : ''})` : undefined}
            description={
              membership ? (
                <>
                  You are a member:{' '}
                  <Link href={`/my/customers/${id}/users`} onFollow={follow}>open {customer.displayName} under Account</Link> to invite
                  users, change roles and remove them.
                </>
              ) : (
                'The members of the customer. To invite or remove users, add yourself first.'
              )
            }
            actions={
              <SpaceBetween direction="horizontal" size="xs" alignItems="center">
                {addMyselfDisabledReason ? <Box variant="small" color="text-status-inactive">{addMyselfDisabledReason}</Box> : null}
                <Button
                  variant="primary"
                  onClick={() => setAdding(true)}
                  disabled={Boolean(addMyselfDisabledReason)}
                  disabledReason={addMyselfDisabledReason}
                >
                  Add Myself
                </Button>
              </SpaceBetween>
            }
          >
            Users
          </Header>
        }
        items={membersRead.data?.items ?? []}
        loading={membersRead.isPending}
        loadingText="Loading the members"
        trackBy="userId"
        wrapLines
        ariaLabels={{ tableLabel: `Members of ${customer.displayName}` }}
        empty={membersRead.isError ? <Box color="text-status-error">{problemSentence(membersRead.error)}</Box> : <Box textAlign="center">No members.</Box>}
        pagination={<CursorPagination list={members} nextCursor={membersRead.data?.nextCursor} />}
        columnDefinitions={[
          { id: 'name', header: 'Name', cell: (m) => m.name ?? '—', isRowHeader: true },
          { id: 'email', header: 'E-mail', cell: (m) => m.email ?? '—' },
          { id: 'role', header: 'Role', cell: (m) => ROLE_LABEL[m.role] },
          { id: 'via', header: 'Joined through', cell: (m) => JOINED_VIA_LABEL[m.joinedVia] },
          { id: 'joined', header: 'Joined', cell: (m) => <Time iso={m.joinedAt} /> },
        ]}
      />
      <Table<Schemas['Invitation']>
        header={<Header description="Invitations sent by the customer's admins; a pending one waits for its invitee.">Invitations</Header>}
        items={invitationsRead.data?.items ?? []}
        loading={invitationsRead.isPending}
        loadingText="Loading the invitations"
        trackBy="id"
        wrapLines
        ariaLabels={{ tableLabel: `Invitations of ${customer.displayName}` }}
        empty={invitationsRead.isError ? <Box color="text-status-error">{problemSentence(invitationsRead.error)}</Box> : <Box textAlign="center">No invitations.</Box>}
        pagination={<CursorPagination list={invitations} nextCursor={invitationsRead.data?.nextCursor} />}
        columnDefinitions={[
          { id: 'email', header: 'E-mail', cell: (i) => i.email, isRowHeader: true },
          { id: 'role', header: 'Role', cell: (i) => ROLE_LABEL[i.role] },
          { id: 'status', header: 'Status', cell: (i) => <StatusIndicator type={INVITATION_STATUS_INDICATOR[i.status]}>{INVITATION_STATUS_LABEL[i.status]}</StatusIndicator> },
          { id: 'sent', header: 'Sent', cell: (i) => <Time iso={i.createdAt} /> },
          { id: 'expires', header: 'Expires', cell: (i) => (i.status === 'PENDING' ? <Time iso={i.expiresAt} /> : '—') },
        ]}
      />
      {adding ? <AddMyselfModal customer={customer} onDismiss={() => setAdding(false)} /> : null}
    </SpaceBetween>
  );
}

function AddMyselfModal({ customer, onDismiss }: { customer: Customer; onDismiss: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const addMyself = useMutation({
    mutationFn: (reason: string | null) =>
      answer(api.POST('/customers/{id}/users/me', { params: { path: { id: customer.identifier } }, body: reason ? { reason } : {} })),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.customer(customer.identifier) }),
        queryClient.invalidateQueries({ queryKey: keys.myCustomers }),
      ]),
  });
  return (
    <ConfirmModal
      title={`Add yourself to ${customer.identifier}?`}
      confirmLabel="Add Myself"
      reason={{ label: 'Reason', required: false, hint: 'Recorded in the history and told to the customer admins. At most 500 characters, one line.' }}
      onDismiss={onDismiss}
      onConfirm={async (reason) => {
        const { data } = await addMyself.mutateAsync(reason);
        notify('success', `You were added to ${customer.identifier} as ${ROLE_LABEL[data.role].toLowerCase()}. Choose it under Account to work in it.`);
      }}
    >
      <Box variant="p">
        You become a member of <b>{customer.displayName}</b> with the role your installation gives partners (customer admin or
        customer employee). Its customer admins are told by e-mail, and the history records it.
      </Box>
    </ConfirmModal>
  );
}
