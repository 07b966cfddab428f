// A customer's users: its members (role change and removal for customer admins, leaving for
// anyone) and, for customer admins, its invitations (invite, resend, cancel).
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { etagOf, listMembers } from '../api/admin';
import {
  cancelInvitation, changeMemberRole, inviteUser, listInvitations, readAll, removeMember, resendInvitation,
  type Invitation,
} from '../api/member';
import type { CustomerRole, Membership } from '../api/types';
import { useApi, useUser } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { noProblem, type FormProblem } from '../problem/problem';
import { Field } from '../ui/Field';
import { EmptyState, Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useLoad } from '../ui/useLoad';
import { useKept } from './useKept';
import { useCustomerView } from './CustomerContext';
import { formatDateTime, personLabel, ROLE_LABELS } from './format';
import { memberFormProblem } from './problemWords';
import { emailProblem } from './validation';
import { useDocumentTitle } from '../ui/useDocumentTitle';

const ROLES: CustomerRole[] = ['CUSTOMER_EMPLOYEE', 'CUSTOMER_ADMIN'];

export function UsersPage() {
  const { customer, isAdmin, reloadRole } = useCustomerView();
  useDocumentTitle(`Users · ${customer.displayName}`);
  return (
    <>
      <MembersSection customerId={customer.identifier} customerName={customer.displayName} isAdmin={isAdmin} onOwnRoleChanged={reloadRole} />
      {isAdmin ? <InvitationsSection customerId={customer.identifier} /> : null}
    </>
  );
}

type MemberAction = { userId: string; kind: 'role' | 'remove' } | null;

function MembersSection({
  customerId, customerName, isAdmin, onOwnRoleChanged,
}: { customerId: string; customerName: string; isAdmin: boolean; onOwnRoleChanged: () => void }) {
  const api = useApi();
  const user = useUser();
  const navigate = useNavigate();
  const members = useLoad(() => readAll((cursor) => listMembers(api, customerId, cursor)), [api, customerId]);
  const membersList = useKept(members.result);
  const [action, setAction] = useState<MemberAction>(null);
  const [newRole, setNewRole] = useState<CustomerRole>('CUSTOMER_EMPLOYEE');
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const start = (next: MemberAction, member?: Membership) => {
    setAction(next);
    setProblem(noProblem);
    setDone(null);
    if (member) setNewRole(member.role);
  };

  const run = async (work: () => Promise<unknown>, success: string, afterwards?: () => void) => {
    setBusy(true);
    setProblem(noProblem);
    try {
      await work();
      setAction(null);
      setDone(success);
      if (afterwards) afterwards();
      else members.reload();
    } catch (error) {
      setProblem(memberFormProblem(error, []));
    } finally {
      setBusy(false);
    }
  };

  const onChangeRole = (member: Membership) => (event: FormEvent) => {
    event.preventDefault();
    const own = member.userId === user?.sub;
    void run(
      () => changeMemberRole(api, customerId, member.userId, newRole, etagOf(member.version)),
      own ? `You are now ${ROLE_LABELS[newRole].toLowerCase()}.` : `${personLabel(member)} is now ${ROLE_LABELS[newRole].toLowerCase()}.`,
      // A changed own role changes what the page offers: read the role again with the members.
      own ? () => { members.reload(); onOwnRoleChanged(); } : undefined,
    );
  };

  const onRemove = (member: Membership) => {
    const leaving = member.userId === user?.sub;
    void run(
      () => removeMember(api, customerId, member.userId, etagOf(member.version)),
      leaving ? `You left ${customerName}.` : `${personLabel(member)} was removed from ${customerName}.`,
      leaving ? () => navigate('/my') : undefined,
    );
  };

  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      {done ? <p role="status" className="notice">{done}</p> : null}
      {membersList === null && members.result.state === 'loading' ? <Loading label="Loading the members…" /> : null}
      {members.result.state === 'failed' ? <ProblemText error={members.result.error} onRetry={members.reload} /> : null}
      {membersList !== null && membersList.length === 0 ? <EmptyState>No members.</EmptyState> : null}
      {membersList !== null && membersList.length > 0 ? (
        <table>
          <caption className="visually-hidden">Members of {customerName}</caption>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">E-mail address</th><th scope="col">Role</th><th scope="col">Joined</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {membersList.map((member) => {
              const who = personLabel(member);
              const isMe = member.userId === user?.sub;
              const open = action?.userId === member.userId ? action.kind : null;
              return (
                <tr key={member.userId}>
                  <td>{member.name ?? '—'}{isMe ? ' (you)' : ''}</td>
                  <td>{member.email ?? '—'}</td>
                  <td>{ROLE_LABELS[member.role]}</td>
                  <td>{formatDateTime(member.joinedAt)}</td>
                  <td>
                    <div className="actions">
                      {isAdmin ? (
                        <button type="button" onClick={() => start({ userId: member.userId, kind: 'role' }, member)}>
                          Change role of {who}
                        </button>
                      ) : null}
                      {isAdmin || isMe ? (
                        <button type="button" className="danger" onClick={() => start({ userId: member.userId, kind: 'remove' })}>
                          {isMe ? `Leave ${customerName}` : `Remove ${who}`}
                        </button>
                      ) : null}
                    </div>
                    {open === 'role' ? (
                      <form onSubmit={onChangeRole(member)} aria-label={`Role of ${who}`}>
                        <Field label={`New role of ${who}`}>
                          {(control) => (
                            // The form opens where the button was: the focus moves into it.
                            <select {...control} autoFocus value={newRole} onChange={(e) => setNewRole(e.target.value as CustomerRole)}>
                              {ROLES.map((role) => <option key={role} value={role}>{ROLE_LABELS[role]}</option>)}
                            </select>
                          )}
                        </Field>
                        <div className="actions">
                          <button type="submit" className="primary" disabled={busy}>Save role</button>
                          <button type="button" onClick={() => start(null)}>Keep the role</button>
                        </div>
                        <FormMessage problem={problem} onReload={() => { start(null); members.reload(); }} />
                      </form>
                    ) : null}
                    {open === 'remove' ? (
                      <div role="group" aria-label={isMe ? `Leave ${customerName}` : `Remove ${who}`}>
                        <p>{isMe ? `Leave ${customerName}? You lose access to it.` : `Remove ${who} from ${customerName}?`}</p>
                        <div className="actions">
                          <button type="button" className="danger" disabled={busy} onClick={() => onRemove(member)}>
                            {isMe ? 'Yes, leave' : `Yes, remove ${who}`}
                          </button>
                          {/* The focus goes to the harmless choice, so a stray Enter removes nobody. */}
                          <button type="button" autoFocus onClick={() => start(null)}>{isMe ? 'Stay' : `Keep ${who}`}</button>
                        </div>
                        <FormMessage problem={problem} onReload={() => { start(null); members.reload(); }} />
                      </div>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function InvitationsSection({ customerId }: { customerId: string }) {
  const api = useApi();
  const invitations = useLoad(() => readAll((cursor) => listInvitations(api, customerId, cursor)), [api, customerId]);
  const invitationsList = useKept(invitations.result);
  const [done, setDone] = useState<string | null>(null);
  const [rowProblem, setRowProblem] = useState<{ id: string; problem: FormProblem } | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const act = async (invitation: Invitation, kind: 'resend' | 'cancel') => {
    setBusyId(invitation.id);
    setRowProblem(null);
    setDone(null);
    try {
      if (kind === 'resend') await resendInvitation(api, customerId, invitation.id, etagOf(invitation.version));
      else await cancelInvitation(api, customerId, invitation.id, etagOf(invitation.version));
      setDone(kind === 'resend' ? `The invitation was sent again to ${invitation.email}.` : `The invitation to ${invitation.email} was cancelled.`);
      invitations.reload();
    } catch (error) {
      setRowProblem({ id: invitation.id, problem: memberFormProblem(error, []) });
    } finally {
      setBusyId(null);
    }
  };

  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      {done ? <p role="status" className="notice">{done}</p> : null}
      {invitationsList === null && invitations.result.state === 'loading' ? <Loading label="Loading the invitations…" /> : null}
      {invitations.result.state === 'failed' ? <ProblemText error={invitations.result.error} onRetry={invitations.reload} /> : null}
      {invitationsList !== null && invitationsList.length === 0 ? (
        <EmptyState>No invitations yet.</EmptyState>
      ) : null}
      {invitationsList !== null && invitationsList.length > 0 ? (
        <table>
          <caption className="visually-hidden">Invitations</caption>
          <thead>
            <tr><th scope="col">E-mail address</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Link valid until</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {invitationsList.map((invitation) => (
              <tr key={invitation.id}>
                <td>{invitation.email}</td>
                <td>{ROLE_LABELS[invitation.role]}</td>
                <td><span className="status">{invitation.status.toLowerCase()}</span></td>
                <td>{invitation.status === 'PENDING' ? formatDateTime(invitation.expiresAt) : '—'}</td>
                <td>
                  <div className="actions">
                    {invitation.status === 'PENDING' || invitation.status === 'EXPIRED' ? (
                      <button type="button" disabled={busyId === invitation.id} onClick={() => void act(invitation, 'resend')}>
                        Resend invitation to {invitation.email}
                      </button>
                    ) : null}
                    {invitation.status === 'PENDING' ? (
                      <button type="button" className="danger" disabled={busyId === invitation.id} onClick={() => void act(invitation, 'cancel')}>
                        Cancel invitation to {invitation.email}
                      </button>
                    ) : null}
                  </div>
                  {rowProblem?.id === invitation.id ? (
                    <FormMessage problem={rowProblem.problem} onReload={() => { setRowProblem(null); invitations.reload(); }} />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <InviteForm customerId={customerId} onInvited={(email) => { setDone(`An invitation was sent to ${email}.`); invitations.reload(); }} />
    </section>
  );
}

const INVITE_FIELDS = ['email', 'role'] as const;

export function InviteForm({ customerId, onInvited }: { customerId: string; onInvited: (email: string) => void }) {
  const api = useApi();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<CustomerRole>('CUSTOMER_EMPLOYEE');
  const [touched, setTouched] = useState(false);
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const [busy, setBusy] = useState(false);

  const localEmailError = touched ? emailProblem(email) : null;
  const emailError = localEmailError ?? problem.fields.email ?? null;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (emailProblem(email)) return;
    setBusy(true);
    setProblem(noProblem);
    try {
      const address = email.trim();
      await inviteUser(api, customerId, { email: address, role });
      setEmail('');
      setTouched(false);
      onInvited(address);
    } catch (error) {
      setProblem(memberFormProblem(error, INVITE_FIELDS, { 'invitation-pending': 'email', 'already-member': 'email' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="invite-heading" className="inline-form">
      <h3 id="invite-heading">Invite a user</h3>
      <Field label="E-mail address" error={emailError} hint="The person gets a mail with a link to join this customer.">
        {(control) => (
          <input
            {...control}
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => { setEmail(e.target.value); setProblem(noProblem); }}
            onBlur={() => { if (email) setTouched(true); }}
          />
        )}
      </Field>
      <Field label="Role" error={problem.fields.role}>
        {(control) => (
          <select {...control} value={role} onChange={(e) => setRole(e.target.value as CustomerRole)}>
            {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABELS[r]}</option>)}
          </select>
        )}
      </Field>
      <FormMessage problem={problem} />
      <button type="submit" className="primary" disabled={busy}>Invite</button>
    </form>
  );
}
