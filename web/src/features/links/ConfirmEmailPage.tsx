// /confirm-email?token=…: the page behind the approval mail's confirmation link. No sign-in: the
// link's one-time token is the proof. Confirming is a button, so a mail scanner or a second visit
// does not spend the link unasked.
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { ApiError, answer } from '../../api/client';
import { useApi } from '../../auth/AuthContext';
import { problemSentence } from '../../shared/problems';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { LINK_TOKEN_PATTERN } from './linkToken';

export function ConfirmEmailPage() {
  useDocumentTitle('Confirm your e-mail address');
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const api = useApi();
  const confirm = useMutation({ mutationFn: () => answer(api.POST('/email-confirmations', { body: { token } })) });
  const final = confirm.error instanceof ApiError && [400, 404, 410].includes(confirm.error.status);

  let content;
  if (!LINK_TOKEN_PATTERN.test(token)) {
    content = <Alert type="error">This confirmation link is incomplete. Open the link from your approval mail as it is, or copy all of it into the address bar.</Alert>;
  } else if (confirm.data) {
    const { email, customerId } = confirm.data.data;
    content = (
      <SpaceBetween size="m">
        <Alert type="success">Thank you: {email} is confirmed, and the customer <b>{customerId}</b> is now active.</Alert>
        <Link href={`/my/customers/${customerId}/users`}>Sign in and open the customer</Link>
      </SpaceBetween>
    );
  } else {
    content = (
      <SpaceBetween size="m">
        <Box variant="p">Confirm your e-mail address to activate your approved customer account.</Box>
        {confirm.isError ? <Alert type="error">{problemSentence(confirm.error)}</Alert> : null}
        {!final ? <Button variant="primary" loading={confirm.isPending} onClick={() => confirm.mutate()}>Confirm e-mail address</Button> : null}
      </SpaceBetween>
    );
  }
  return (
    <main style={{ maxWidth: '40rem', margin: '3rem auto', padding: '0 1rem' }}>
      <Container header={<Header variant="h1">Confirm your e-mail address</Header>}>{content}</Container>
    </main>
  );
}
