// /confirm-email?token=…: the page behind the approval mail's confirmation link. No sign-in: the
// link's one-time token is the proof. Confirming is a button, so a mail scanner or a second visit
// does not spend the link unasked.
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { confirmEmail, type EmailConfirmed } from '../api/member';
import { useAppServices } from '../auth/AuthContext';
import { describeProblem } from '../member/problemWords';
import { LINK_TOKEN_PATTERN } from './AcceptInvitationPage';
import { useDocumentTitle } from '../ui/useDocumentTitle';

type State =
  | { step: 'ready' }
  | { step: 'confirming' }
  | { step: 'confirmed'; confirmed: EmailConfirmed }
  | { step: 'refused'; error: unknown };

export function ConfirmEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { api } = useAppServices();
  const [state, setState] = useState<State>({ step: 'ready' });
  useDocumentTitle('Confirm your e-mail address');

  const confirm = async () => {
    setState({ step: 'confirming' });
    try {
      const { body } = await confirmEmail(api, token);
      setState({ step: 'confirmed', confirmed: body });
    } catch (error) {
      setState({ step: 'refused', error });
    }
  };

  let content;
  if (!LINK_TOKEN_PATTERN.test(token)) {
    content = (
      <p role="alert" className="form-message">
        This confirmation link is incomplete. Open the link from your approval mail as it is, or copy all of it into the
        address bar.
      </p>
    );
  } else if (state.step === 'confirmed') {
    content = (
      <>
        <p role="status" className="notice">
          Thank you: {state.confirmed.email} is confirmed, and the customer <strong>{state.confirmed.customerId}</strong> is
          now active.
        </p>
        <p><a href={`/my/customers/${encodeURIComponent(state.confirmed.customerId)}`}>Sign in and open the customer</a></p>
      </>
    );
  } else {
    const retryable = state.step === 'refused' && !(state.error instanceof ApiError && [400, 404, 410].includes(state.error.status));
    content = (
      <>
        <p>Confirm your e-mail address to activate your approved customer account.</p>
        {state.step === 'refused' ? (
          <div role="alert" className="form-message">
            <p>{describeProblem(state.error)}</p>
          </div>
        ) : null}
        {state.step !== 'refused' || retryable ? (
          <button type="button" className="primary" onClick={() => void confirm()} disabled={state.step === 'confirming'}>
            Confirm e-mail address
          </button>
        ) : null}
      </>
    );
  }

  return (
    <main id="main" className="centered" aria-labelledby="confirm-heading">
      <h1 id="confirm-heading">Confirm your e-mail address</h1>
      {content}
    </main>
  );
}
