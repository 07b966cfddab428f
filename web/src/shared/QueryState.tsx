import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Link from '@cloudscape-design/components/link';
import Spinner from '@cloudscape-design/components/spinner';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { isNoAccess, problemSentence } from './problems';

/** A read's loading and error states; the content once its data is there. */
export function QueryState<T>({ query, label, children }: { query: UseQueryResult<T>; label: string; children: (data: T) => ReactNode }) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.isError) {
    return (
      <Alert type="error" header={`${label} could not be read`} action={<Button onClick={() => void query.refetch()}>Try again</Button>}>
        {problemSentence(query.error)}
      </Alert>
    );
  }
  return (
    <Box textAlign="center" padding="l">
      <Spinner /> Loading {label.toLowerCase()}…
    </Box>
  );
}

/**
 * A customer the caller cannot (or can no longer) open: said in words, with the way out to the
 * customers they have, instead of a retry that cannot help.
 */
export function NoAccess({ customerId, error, backTo }: { customerId: string; error: unknown; backTo: { href: string; label: string } }) {
  const navigate = useNavigate();
  // No error: the read worked, but the caller is not among the members.
  const gone = error == null || isNoAccess(error);
  return (
    <Alert type={gone ? 'warning' : 'error'} header={gone ? `You have no access to ${customerId}` : `${customerId} could not be read`}>
      {gone
        ? 'This customer does not exist, or you are not (or no longer) one of its members: you may have been removed, or your membership has ended. '
        : `${problemSentence(error)} `}
      <Link href={backTo.href} onFollow={(e) => { e.preventDefault(); navigate(backTo.href); }}>{backTo.label}</Link>
    </Alert>
  );
}
