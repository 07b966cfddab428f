import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ButtonDropdown from '@cloudscape-design/components/button-dropdown';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../../api/client';
import { invitationsQuery, membersQuery, myCustomersQuery } from '../../api/queries';
import { useApi, useUser } from '../../auth/AuthContext';
import { DownloadAccessReviewButton } from '../../shared/accessReview/DownloadAccessReviewButton';
import { blockedReason } from '../../shared/customerContext';
import { CursorPagination } from '../../shared/CursorPagination';
import { INVITATION_STATUS_INDICATOR, INVITATION_STATUS_LABEL, JOINED_VIA_LABEL, personLabel, ROLE_LABEL } from '../../shared/labels';
import { ChangeEndModal } from '../../shared/membershipEnd/ChangeEndModal';
import { MemberEnd } from '../../shared/membershipEnd/MemberEnd';
import { useFollow } from '../../shared/navigation';
import { problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useListParams } from '../../shared/useListParams';
import { useNarrowScreen } from '../../shared/useNarrowScreen';
import { AddMyselfModal } from './AddMyselfModal';

type Customer = Schemas['Customer'];
type Member = Schemas['Membership'];

/** On a phone: the member (e-mail, role and end under the name), and the actions where there are any. */
const NARROW_MEMBER_COLUMNS = ['name', 'email', 'role', 'ends', 'via', 'joined', 'actions'].map((id) => ({ id, visible: id === 'name' || id === 'actions' }));

/**
 * A customer's users as the admin area sees them: members (with when their membership ends) and
 * invitations, and "Add Myself" at the top right, which gives the caller the customer-internal
 * rights. A caller who is a customer admin of it may set, move and clear a member's end here too.
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
  const [endOf, setEndOf] = useState<Member | null>(null);
  const endOfNow = endOf ? (membersRead.data?.items.find((m) => m.userId === endOf.userId) ?? endOf) : null;
  const follow = useFollow();
  const user = useUser();
  const narrow = useNarrowScreen();
  // Admin-area roles give no customer-internal rights: only a customer admin of it changes ends.
  const canChangeEnds = membership?.role === 'CUSTOMER_ADMIN' && !blockedReason(customer);

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
                  users, change roles and remove them.{canChangeEnds ? ' You can also set when a membership ends here, under Actions.' : ''}
                </>
              ) : (
                'The members of the customer. To invite or remove users, add yourself first.'
              )
            }
            actions={
              <SpaceBetween direction="horizontal" size="xs" alignItems="center">
                <DownloadAccessReviewButton customerId={id} />
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
        stickyColumns={{ first: 0, last: canChangeEnds ? 1 : 0 }}
        columnDisplay={narrow ? NARROW_MEMBER_COLUMNS : undefined}
        ariaLabels={{ tableLabel: `Members of ${customer.displayName}` }}
        empty={membersRead.isError ? <Box color="text-status-error">{problemSentence(membersRead.error)}</Box> : <Box textAlign="center">No members.</Box>}
        pagination={<CursorPagination list={members} nextCursor={membersRead.data?.nextCursor} />}
        columnDefinitions={[
          {
            id: 'name',
            header: 'Name',
            isRowHeader: true,
            cell: (m) =>
              narrow ? (
                <SpaceBetween size="xxxs">
                  <span>{m.name ?? '—'}{m.userId === user?.sub ? ' (you)' : ''}</span>
                  {m.email ? <Box variant="small">{m.email}</Box> : null}
                  <Box variant="small">{ROLE_LABEL[m.role]}</Box>
                  <MemberEnd expiresAt={m.expiresAt} warnedAt={m.expiryWarnedAt} hideNoEnd />
                </SpaceBetween>
              ) : (
                `${m.name ?? '—'}${m.userId === user?.sub ? ' (you)' : ''}`
              ),
          },
          { id: 'email', header: 'E-mail', cell: (m) => m.email ?? '—' },
          { id: 'role', header: 'Role', cell: (m) => ROLE_LABEL[m.role] },
          { id: 'ends', header: 'Membership ends', minWidth: 190, cell: (m) => <MemberEnd expiresAt={m.expiresAt} warnedAt={m.expiryWarnedAt} /> },
          { id: 'via', header: 'Joined through', cell: (m) => JOINED_VIA_LABEL[m.joinedVia] },
          { id: 'joined', header: 'Joined', cell: (m) => <Time iso={m.joinedAt} /> },
          ...(canChangeEnds
            ? [{
                id: 'actions',
                header: 'Actions',
                minWidth: narrow ? 72 : 170,
                cell: (m: Member) => (
                  <ButtonDropdown
                    ariaLabel={`Actions for ${personLabel(m)}`}
                    variant={narrow ? 'icon' : 'normal'}
                    expandToViewport
                    items={[{ id: 'end', text: m.expiresAt ? 'Change end…' : 'Set an end…', iconName: 'calendar' }]}
                    onItemClick={() => setEndOf(m)}
                  >
                    Actions
                  </ButtonDropdown>
                ),
              }]
            : []),
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
          { id: 'expires', header: 'Link expires', cell: (i) => (i.status === 'PENDING' ? <Time iso={i.expiresAt} /> : '—') },
          { id: 'membershipEnds', header: 'Membership ends', minWidth: 190, cell: (i) => <MemberEnd expiresAt={i.membershipExpiresAt} /> },
        ]}
      />
      {adding ? <AddMyselfModal customer={customer} onDismiss={() => setAdding(false)} /> : null}
      {endOfNow ? <ChangeEndModal customer={customer} member={endOfNow} self={endOfNow.userId === user?.sub} onDismiss={() => setEndOf(null)} /> : null}
    </SpaceBetween>
  );
}
