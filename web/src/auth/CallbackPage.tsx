import { useEffect, useRef, useState } from 'react';
import { useAppServices } from './AuthContext';
import { completeSignIn } from './oauth';
import { Loading } from '../ui/Loading';

/** The OAuth redirect target: exchanges the code, then returns to where the user was going. */
export function CallbackPage() {
  const { config } = useAppServices();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    // The code is single-use: React's strict-mode double effect must not spend it twice.
    if (started.current) return;
    started.current = true;
    completeSignIn(config.auth, window.location.search)
      // A full load, so the new token is read by the whole page from the start.
      .then((returnTo) => window.location.replace(returnTo))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : 'The sign-in could not be completed.'));
  }, [config.auth]);
  if (error) {
    return (
      <main className="centered">
        <h1>Sign-in failed</h1>
        <p role="alert">{error}</p>
        <a href="/">Sign in again</a>
      </main>
    );
  }
  return <Loading label="Completing sign-in…" />;
}

export function SignedOutPage() {
  return (
    <main className="centered">
      <h1>You are signed out</h1>
      <a href="/">Sign in again</a>
    </main>
  );
}
