import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ButtonDropdown from '@cloudscape-design/components/button-dropdown';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import Alert from '@cloudscape-design/components/alert';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { answer, etagOf, type Schemas } from '../../api/client';
import { invitationsQuery, keys, membersQuery } from '../../api/queries';
import { useApi, useUser } from '../../auth/AuthContext';
import { ConfirmModal } from '../../shared/ConfirmModal';
import { CursorPagination } from '../../shared/CursorPagination';
import { CUSTOMER_ROLES, INVITATION_STATUS_INDICATOR, INVITATION_STATUS_LABEL, personLabel, ROLE_LABEL, type CustomerRole } from '../../shared/labels';
import { useNotify } from '../../shared/notifications';
import { formProblem, noProblem, problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { useListParams } from '../../shared/useListParams';
import { emailProblem } from '../../shared/validation';
import { blockedReason, useCustomer } from '../../shared/customerContext';
import { ChangeEndModal } from '../../shared/membershipEnd/ChangeEndModal';
import { END_OF_DAY, endProblem, expiresAtOf, type EndInput } from '../../shared/membershipEnd/end';
import { EndField } from '../../shared/membershipEnd/EndField';
import { MemberEnd } from '../../shared/membershipEnd/MemberEnd';
import { useNarrowScreen } from '../../shared/useNarrowScreen';

type Member = Schemas['Membership'];
type Invitation = Schemas['Invitation'];

/** On a phone: the member (e-mail, role and end under the name) and the actions. */
const NARROW_MEMBER_COLUMNS = ['name', 'email', 'role', 'ends', 'joined', 'actions'].map((id) => ({ id, visible: id === 'name' || id === 'actions' }));

/** Account > Users: members and invitations; customer admins invite, change roles and remove. */
export function UsersPage() {
  const { customer, role } = useCustomer();
  useDocumentTitle(`Users · ${customer.displayName}`);
  const api = useApi();
  const user = useUser();
  const id = customer.identifier;
  const isAdmin = role === 'CUSTOMER_ADMIN';
  const canWrite = isAdmin && !blockedReason(customer);
  const members = useListParams([], 'users');
  const invitations = useListParams([], 'invitations');
  const membersRead = useQuery(membersQuery(api, id, members.cursor));
  const invitationsRead = useQuery({ ...invitationsQuery(api, id, invitations.cursor), enabled: isAdmin });
  const [roleOf, setRoleOf] = useState<Member | null>(null);
  // The member whose end is being changed, by id: the modal gets the member as the list has it now
  // (read again after a 412), the row clicked only while the list has no such member.
  const [endOf, setEndOf] = useState<Member | null>(null);
  const endOfNow = endOf ? (membersRead.data?.items.find((m) => m.userId === endOf.userId) ?? endOf) : null;
  const narrow = useNarrowScreen();
  const [removing, setRemoving] = useState<Member | null>(null);
  const [cancelling, setCancelling] = useState<Invitation | null>(null);
  const queryClient = useQueryClient();
  const notify = useNotify();
  const resend = useMutation({
    mutationFn: (i: Invitation) =>
      answer(api.POST('/customers/{id}/invitations/{invitationId}/resend', { params: { path: { id, invitationId: i.id }, header: { 'If-Match': etagOf(i.version) } } })),
    onSuccess: (_d, i) => notify('success', `The invitation was sent to ${i.email} again; the earlier link no longer works.`),
    onError: (error) => notify('error', problemSentence(error)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: [...keys.customer(id), 'invitations'] }),
  });

  return (
    <SpaceBetween size="l">
      <Table<Member>
        header={<Header counter={membersRead.data ? `(${membersRead.data.items.length}${membersRead.data.nextCursor ? '+' : ''})` : undefined}>Users</Header>}
        items={membersRead.data?.items ?? []}
        loading={membersRead.isPending}
        loadingText="Loading the members"
        trackBy="userId"
        wrapLines
        stickyColumns={{ first: 0, last: canWrite ? 1 : 0 }}
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
                  <span>{`${personLabel(m)}${m.userId === user?.sub ? ' (you)' : ''}`}</span>
                  {m.email && m.email !== personLabel(m) ? <Box variant="small">{m.email}</Box> : null}
                  <Box variant="small">{ROLE_LABEL[m.role]}</Box>
                  <MemberEnd expiresAt={m.expiresAt} warnedAt={m.expiryWarnedAt} hideNoEnd />
                </SpaceBetween>
              ) : (
                `${personLabel(m)}${m.userId === user?.sub ? ' (you)' : ''}`
              ),
          },
          { id: 'email', header: 'E-mail', cell: (m) => m.email ?? '—' },
          { id: 'role', header: 'Role', cell: (m) => ROLE_LABEL[m.role] },
          { id: 'ends', header: 'Membership ends', minWidth: 190, cell: (m) => <MemberEnd expiresAt={m.expiresAt} warnedAt={m.expiryWarnedAt} /> },
          { id: 'joined', header: 'Joined', cell: (m) => <Time iso={m.joinedAt} /> },
          ...(canWrite
            ? [{
                id: 'actions',
                header: 'Actions',
                minWidth: narrow ? 72 : 170,
                cell: (m: Member) => (
                  <ButtonDropdown
                    ariaLabel={`Actions for ${personLabel(m)}`}
                    variant={narrow ? 'icon' : 'normal'}
                    expandToViewport
                    items={[
                      { id: 'role', text: 'Change role…', iconName: 'edit' },
                      { id: 'end', text: m.expiresAt ? 'Change end…' : 'Set an end…', iconName: 'calendar' },
                      { id: 'remove', text: m.userId === user?.sub ? `Leave ${customer.displayName}…` : 'Remove…', iconName: 'remove' },
                    ]}
                    onItemClick={({ detail }) => (detail.id === 'role' ? setRoleOf(m) : detail.id === 'end' ? setEndOf(m) : setRemoving(m))}
                  >
                    Actions
                  </ButtonDropdown>
                ),
              }]
            : []),
        ]}
      />
      {isAdmin ? (
        <Table<Invitation>
          header={<Header description="A pending invitation waits for its invitee to follow the link in the mail.">Invitations</Header>}
          items={invitationsRead.data?.items ?? []}
          loading={invitationsRead.isPending}
          loadingText="Loading the invitations"
          trackBy="id"
          wrapLines
          stickyColumns={{ first: 0, last: canWrite ? 1 : 0 }}
          ariaLabels={{ tableLabel: 'Invitations' }}
          empty={invitationsRead.isError ? <Box color="text-status-error">{problemSentence(invitationsRead.error)}</Box> : <Box textAlign="center">No invitations.</Box>}
          pagination={<CursorPagination list={invitations} nextCursor={invitationsRead.data?.nextCursor} />}
          columnDefinitions={[
            { id: 'email', header: 'E-mail', isRowHeader: true, cell: (i) => i.email },
            { id: 'role', header: 'Role', cell: (i) => ROLE_LABEL[i.role] },
            { id: 'status', header: 'Status', cell: (i) => <StatusIndicator type={INVITATION_STATUS_INDICATOR[i.status]}>{INVITATION_STATUS_LABEL[i.status]}</StatusIndicator> },
            { id: 'expires', header: 'Link expires', cell: (i) => (i.status === 'PENDING' ? <Time iso={i.expiresAt} /> : '—') },
            { id: 'membershipEnds', header: 'Membership ends', minWidth: 190, cell: (i) => <MemberEnd expiresAt={i.membershipExpiresAt} /> },
            ...(canWrite
              ? [{
                  id: 'actions',
                  header: 'Actions',
                  minWidth: 150,
                  cell: (i: Invitation) =>
                    i.status === 'PENDING' ? (
                      <ButtonDropdown
                        ariaLabel={`Actions for the invitation of ${i.email}`}
                        expandToViewport
                        items={[
                          { id: 'resend', text: 'Resend', iconName: 'envelope' },
                          { id: 'cancel', text: 'Cancel invitation…', iconName: 'close' },
                        ]}
                        onItemClick={({ detail }) => (detail.id === 'resend' ? resend.mutate(i) : setCancelling(i))}
                      >
                        Actions
                      </ButtonDropdown>
                    ) : '—',
                }]
              : []),
          ]}
        />
      ) : null}
      {canWrite ? <InviteForm customerId={id} /> : null}
      {roleOf ? <RoleModal member={roleOf} onDismiss={() => setRoleOf(null)} /> : null}
      {endOfNow ? <ChangeEndModal customer={customer} member={endOfNow} self={endOfNow.userId === user?.sub} onDismiss={() => setEndOf(null)} /> : null}
      {removing ? <RemoveModal member={removing} onDismiss={() => setRemoving(null)} /> : null}
      {cancelling ? <CancelInvitationModal invitation={cancelling} onDismiss={() => setCancelling(null)} /> : null}
    </SpaceBetween>
  );
}

function useInvalidateUsers() {
  const queryClient = useQueryClient();
  const { customer } = useCustomer();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: keys.customer(customer.identifier) }),
      queryClient.invalidateQueries({ queryKey: keys.myCustomers }),
    ]);
}

function InviteForm({ customerId }: { customerId: string }) {
  const api = useApi();
  const notify = useNotify();
  const invalidate = useInvalidateUsers();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<CustomerRole>('CUSTOMER_EMPLOYEE');
  const [end, setEnd] = useState<EndInput>(NO_END);
  const [touched, setTouched] = useState(false);
  const invite = useMutation({
    mutationFn: () =>
      answer(api.POST('/customers/{id}/invitations', {
        params: { path: { id: customerId } },
        body: { email: email.trim(), role, ...(end.ends ? { membershipExpiresAt: expiresAtOf(end) } : {}) },
      })),
    onSuccess: ({ data }) => {
      notify('success', `An invitation was sent to ${data.email}.`);
      setEmail('');
      setEnd(NO_END);
      setTouched(false);
    },
    onSettled: invalidate,
  });
  const problem = invite.isError
    ? formProblem(invite.error, ['email', 'role', 'membershipExpiresAt'], { 'invitation-pending': 'email', 'already-member': 'email' })
    : noProblem;
  const localError = touched ? emailProblem(email) : null;
  const endError = touched ? endProblem(end) : null;
  return (
    <form aria-label="Invite a user" onSubmit={(e) => { e.preventDefault(); setTouched(true); if (!emailProblem(email) && !endProblem(end)) invite.mutate(); }}>
      <Form actions={<Button variant="primary" iconName="envelope" loading={invite.isPending}>Invite</Button>} errorText={problem.message}>
        <Container header={<Header variant="h2" description="The invitee gets an e-mail with a link to join; it works for 7 days.">Invite a user</Header>}>
          <SpaceBetween size="m">
            <FormField label="E-mail address" errorText={localError ?? problem.fields.email}>
              <Input type="email" value={email} onChange={({ detail }) => setEmail(detail.value)} />
            </FormField>
            <FormField label="Role" errorText={problem.fields.role}>
              <Select
                selectedOption={{ value: role, label: ROLE_LABEL[role] }}
                options={CUSTOMER_ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
                onChange={({ detail }) => setRole(detail.selectedOption.value as CustomerRole)}
              />
            </FormField>
            <EndField
              label="Membership ends"
              description="For access that is needed for a while only: the membership made by accepting ends by itself. An invitation accepted after that moment is refused."
              value={end}
              onChange={setEnd}
              errorText={endError ?? problem.fields.membershipExpiresAt}
              noEndLabel="No end"
              endsLabel="At a day and time"
            />
          </SpaceBetween>
        </Container>
      </Form>
    </form>
  );
}

const NO_END: EndInput = { ends: false, date: '', time: END_OF_DAY };

function RoleModal({ member, onDismiss }: { member: Member; onDismiss: () => void }) {
  const api = useApi();
  const notify = useNotify();
  const invalidate = useInvalidateUsers();
  const { customer } = useCustomer();
  const [role, setRole] = useState<CustomerRole>(member.role);
  const change = useMutation({
    mutationFn: () =>
      answer(api.PUT('/customers/{id}/users/{userId}/role', {
        params: { path: { id: customer.identifier, userId: member.userId }, header: { 'If-Match': etagOf(member.version) } },
        body: { role },
      })),
    onSuccess: () => {
      notify('success', `${personLabel(member)} is now ${ROLE_LABEL[role].toLowerCase()}.`);
      onDismiss();
    },
    onSettled: invalidate,
  });
  return (
    <Modal
      visible
      onDismiss={onDismiss}
      closeAriaLabel="Close"
      header={`Change the role of ${personLabel(member)}`}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>Keep the role</Button>
            <Button variant="primary" loading={change.isPending} disabled={role === member.role} onClick={() => change.mutate()}>Save role</Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <FormField label={`New role of ${personLabel(member)}`} description="Customer admins invite, remove and change roles; customer employees work in the projects.">
          <Select
            selectedOption={{ value: role, label: ROLE_LABEL[role] }}
            options={CUSTOMER_ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
            onChange={({ detail }) => setRole(detail.selectedOption.value as CustomerRole)}
          />
        </FormField>
        {change.isError ? <Alert type="error">{problemSentence(change.error)}</Alert> : null}
      </SpaceBetween>
    </Modal>
  );
}

function RemoveModal({ member, onDismiss }: { member: Member; onDismiss: () => void }) {
  const api = useApi();
  const user = useUser();
  const navigate = useNavigate();
  const notify = useNotify();
  const invalidate = useInvalidateUsers();
  const { customer } = useCustomer();
  const self = member.userId === user?.sub;
  const who = personLabel(member);
  return (
    <ConfirmModal
      title={self ? `Leave ${customer.displayName}?` : `Remove ${who}?`}
      confirmLabel={self ? 'Leave' : `Remove ${who}`}
      onDismiss={onDismiss}
      onConfirm={async () => {
        await answer(api.DELETE('/customers/{id}/users/{userId}', {
          params: { path: { id: customer.identifier, userId: member.userId }, header: { 'If-Match': etagOf(member.version) } },
        }));
        notify('success', self ? `You left ${customer.displayName}.` : `${who} was removed from ${customer.displayName}.`);
        if (self) navigate('/my');
        await invalidate();
      }}
    >
      <Box variant="p">
        {self
          ? `You lose your access to ${customer.displayName} at once: its projects, tenants and users. Only a new invitation brings you back.`
          : `${who} loses access to ${customer.displayName} at once: its projects and the tenant access through the portal. Service users they made stay.`}
      </Box>
    </ConfirmModal>
  );
}

function CancelInvitationModal({ invitation, onDismiss }: { invitation: Invitation; onDismiss: () => void }) {
  const api = useApi();
  const notify = useNotify();
  const invalidate = useInvalidateUsers();
  const { customer } = useCustomer();
  return (
    <ConfirmModal
      title={`Cancel the invitation of ${invitation.email}?`}
      confirmLabel="Cancel invitation"
      dismissLabel="Keep the invitation"
      onDismiss={onDismiss}
      onConfirm={async () => {
        await answer(api.DELETE('/customers/{id}/invitations/{invitationId}', {
          params: { path: { id: customer.identifier, invitationId: invitation.id }, header: { 'If-Match': etagOf(invitation.version) } },
        }));
        notify('success', `The invitation of ${invitation.email} was cancelled.`);
        await invalidate();
      }}
    >
      <Box variant="p">
        The link in the mail sent to <b>{invitation.email}</b> stops working; they cannot join {customer.displayName} with it. You can
        invite the address again later.
      </Box>
    </ConfirmModal>
  );
}
