import { AcceptInvitationPage } from './AcceptInvitationPage';
import { ConfirmEmailPage } from './ConfirmEmailPage';
import { RegisterPage } from './RegisterPage';

/** The pages behind mail links, and registration: `/accept-invitation`, `/confirm-email`, `/register`. */
export default function LinkPages({ page }: { page: 'accept-invitation' | 'confirm-email' | 'register' }) {
  switch (page) {
    case 'accept-invitation': return <AcceptInvitationPage />;
    case 'confirm-email': return <ConfirmEmailPage />;
    case 'register': return <RegisterPage />;
  }
}
