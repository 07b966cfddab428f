// /accept-invitation?token=…: the page behind the invitation mail's link. It sits behind sign-in
// (RequireSignIn keeps the link, token included, through the sign-in redirect). Accepting is a
// button, not automatic on load: a link opened twice (or by a mail scanner) must not spend the
// one-time token behind the user's back.
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { getCustomer } from '../api/admin';
import { ApiError } from '../api/client';
import { acceptInvitation } from '../api/member';
import type { Membership } from '../api/types';
import { useAppServices } from '../auth/AuthContext';
import { ROLE_LABELS } from '../member/format';
import { describeProblem } from '../member/problemWords';
import { useDocumentTitle } from '../ui/useDocumentTitle';

export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

type State =
  | { step: 'ready' }
  | { step: 'accepting' }
  | { step: 'joined'; membership: Membership; customerName: string | null }
  | { step: 'refused'; error: unknown };

export function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { api, user, signOut } = useAppServices();
  const [state, setState] = useState<State>({ step: 'ready' });
  useDocumentTitle('Accept an invitation');

  const accept = async () => {
    setState({ step: 'accepting' });
    try {
      const { body: membership } = await acceptInvitation(api, token);
      // The display name is a courtesy: the identifier says enough if the read fails.
      const customerName = await getCustomer(api, membership.customerId).then((r) => r.body.displayName, () => null);
      setState({ step: 'joined', membership, customerName });
    } catch (error) {
      setState({ step: 'refused', error });
    }
  };

  if (!LINK_TOKEN_PATTERN.test(token)) {
    return (
      <section aria-labelledby="accept-heading">
        <h1 id="accept-heading">Accept an invitation</h1>
        <p role="alert" className="form-message">
          This invitation link is incomplete. Open the link from your invitation mail as it is, or copy all of it into the
          address bar.
        </p>
      </section>
    );
  }

  if (state.step === 'joined') {
    const { membership, customerName } = state;
    const name = customerName ?? membership.customerId;
    return (
      <section aria-labelledby="accept-heading">
        <h1 id="accept-heading">Welcome to {name}</h1>
        <p role="status" className="notice">
          You joined {name} as {ROLE_LABELS[membership.role].toLowerCase()}.
        </p>
        <p>
          <Link to={`/my/customers/${encodeURIComponent(membership.customerId)}`}>Open {name}</Link>
        </p>
      </section>
    );
  }

  const alreadyMember = state.step === 'refused' && state.error instanceof ApiError && state.error.problem.type === 'already-member';
  const wrongAccount =
    state.step === 'refused' && state.error instanceof ApiError && state.error.problem.type === 'invitation-email-mismatch';

  return (
    <section aria-labelledby="accept-heading">
      <h1 id="accept-heading">Accept an invitation</h1>
      <p>
        You were invited to join a customer. You are signed in as <strong>{user?.email ?? user?.sub}</strong>; the
        invitation must have been sent to this address.
      </p>
      {state.step === 'refused' ? (
        <div role="alert" className="form-message">
          <p>{alreadyMember ? 'You are a member of this customer already.' : describeProblem(state.error)}</p>
          {alreadyMember ? <p><Link to="/my">Go to my customers</Link></p> : null}
          {wrongAccount ? (
            <p>
              <button type="button" onClick={signOut}>Sign out</button> and open the link again to sign in with the invited
              address.
            </p>
          ) : null}
        </div>
      ) : null}
      {state.step === 'refused' && !(state.error instanceof ApiError && [403, 409, 410, 404].includes(state.error.status)) ? (
        <button type="button" onClick={() => void accept()}>Try again</button>
      ) : null}
      {state.step !== 'refused' ? (
        <button type="button" className="primary" onClick={() => void accept()} disabled={state.step === 'accepting'}>
          Accept invitation
        </button>
      ) : null}
    </section>
  );
}
