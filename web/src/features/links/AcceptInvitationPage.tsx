// /accept-invitation?token=…: the page behind the invitation mail's link. It sits behind sign-in
// (RequireSignIn keeps the link, token included, through the sign-in redirect). Accepting is a
// button, not automatic on load: a link opened twice (or by a mail scanner) must not spend the
// one-time token behind the user's back.
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { ApiError, answer, body } from '../../api/client';
import { keys } from '../../api/queries';
import { useAppServices } from '../../auth/AuthContext';
import { ROLE_LABEL } from '../../shared/labels';
import { useFollow } from '../../shared/navigation';
import { problemSentence } from '../../shared/problems';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { LINK_TOKEN_PATTERN } from './linkToken';

export function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { api, user, signOut } = useAppServices();
  const follow = useFollow();
  const queryClient = useQueryClient();
  const accept = useMutation({
    mutationFn: async () => {
      const { data: membership } = await answer(api.POST('/invitations/accept', { body: { token } }));
      // The display name is a courtesy: the identifier says enough if the read fails.
      const name = await body(api.GET('/customers/{id}', { params: { path: { id: membership.customerId } } })).then((c) => c.displayName, () => membership.customerId);
      return { membership, name };
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.myCustomers }),
  });
  const joined = accept.data;
  useDocumentTitle(joined ? `Welcome to ${joined.name}` : 'Accept an invitation');

  if (joined) {
    return (
      <Container header={<Header variant="h1">{`Welcome to ${joined.name}`}</Header>}>
        <SpaceBetween size="m">
          <Alert type="success">You joined {joined.name} as {ROLE_LABEL[joined.membership.role].toLowerCase()}.</Alert>
          <Link href={`/my/customers/${joined.membership.customerId}/users`} onFollow={follow}>{`Open ${joined.name}`}</Link>
        </SpaceBetween>
      </Container>
    );
  }
  const type = accept.error instanceof ApiError ? accept.error.problem.type : null;
  const final = accept.error instanceof ApiError && [403, 404, 409, 410].includes(accept.error.status);
  return (
    <Container header={<Header variant="h1">Accept an invitation</Header>}>
      <SpaceBetween size="m">
        {!LINK_TOKEN_PATTERN.test(token) ? (
          <Alert type="error">This invitation link is incomplete. Open the link from your invitation mail as it is, or copy all of it into the address bar.</Alert>
        ) : (
          <>
            <Box variant="p">
              You were invited to join a customer. You are signed in as <b>{user?.email ?? user?.sub}</b>; the invitation must have been
              sent to this address.
            </Box>
            {accept.isError ? (
              <Alert type="error">
                {type === 'already-member' ? 'You are a member of this customer already. ' : `${problemSentence(accept.error)} `}
                {type === 'already-member' ? <Link href="/my" onFollow={follow}>Go to my customers</Link> : null}
                {type === 'invitation-email-mismatch' ? (
                  <Box padding={{ top: 'xs' }}><Button onClick={signOut}>Sign out</Button> and open the link again to sign in with the invited address.</Box>
                ) : null}
              </Alert>
            ) : null}
            {!final ? (
              <Button variant="primary" loading={accept.isPending} onClick={() => accept.mutate()}>
                {accept.isError ? 'Try again' : 'Accept invitation'}
              </Button>
            ) : null}
          </>
        )}
      </SpaceBetween>
    </Container>
  );
}
