import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import { useEffect, type ReactNode } from 'react';
import { Loading } from '../shared/Loading';
import { useAppServices } from './AuthContext';

/** Sends a signed-out visitor to sign in, remembering the page (with its query) to come back to. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const { user, signIn, sessionEnded } = useAppServices();
  useEffect(() => {
    if (!user) signIn();
  }, [user, signIn]);
  if (!user) return <Loading label="Signing in…" />;
  return (
    <>
      {sessionEnded ? (
        <Alert type="warning" header="Your sign-in has ended" action={<Button onClick={() => signIn()}>Sign in again</Button>}>
          Sign in again to go on where you are.
        </Alert>
      ) : null}
      {children}
    </>
  );
}
