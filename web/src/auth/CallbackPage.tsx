import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Loading } from '../shared/Loading';
import { useAppServices } from './AuthContext';
import { completeSignIn } from './oauth';

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
      <Centered title="Sign-in failed">
        <Alert type="error">{error}</Alert>
        <Box padding={{ top: 's' }}><Link href="/">Sign in again</Link></Box>
      </Centered>
    );
  }
  return <Loading label="Completing sign-in…" />;
}

export function SignedOutPage() {
  return (
    <Centered title="You are signed out">
      <Link href="/">Sign in again</Link>
    </Centered>
  );
}

function Centered({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main style={{ maxWidth: '36rem', margin: '3rem auto', padding: '0 1rem' }}>
      <Container header={<Header variant="h1">{title}</Header>}>{children}</Container>
    </main>
  );
}
