import { useEffect, type ReactNode } from 'react';
import { useAppServices } from './AuthContext';
import { Loading } from '../ui/Loading';

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
        <div role="alert" className="banner">
          <p>Your sign-in has ended.</p>
          <button type="button" onClick={() => signIn()}>
            Sign in again
          </button>
        </div>
      ) : null}
      {children}
    </>
  );
}
