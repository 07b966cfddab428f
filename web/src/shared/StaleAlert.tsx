import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import type { ReactNode } from 'react';
import { STALE_MESSAGE } from './problems';

/**
 * A write answered 412: the values shown were out of date. Shows what is stored now (read again)
 * beside the person's change, and sends the change again against the current version on request.
 */
export function StaleAlert({ current, mine, onReapply, busy }: { current: ReactNode; mine: ReactNode; onReapply: () => void; busy?: boolean }) {
  return (
    <Alert
      type="warning"
      header={STALE_MESSAGE}
      action={<Button formAction="none" onClick={onReapply} loading={busy}>Apply my change again</Button>}
    >
      Now stored: {current}. Your change: {mine}. Apply your change again to replace the stored values, or edit it first.
    </Alert>
  );
}
