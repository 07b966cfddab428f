import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState, type ReactNode } from 'react';
import { problemSentence } from './problems';
import { reasonProblem } from './validation';

export interface ConfirmModalProps {
  /** The modal's header, e.g. "Disable acme?" */
  title: string;
  /** What will happen, in words. */
  children: ReactNode;
  /** The confirming button's text, e.g. "Disable acme". */
  confirmLabel: string;
  /** Asks for a reason (1–500 characters, one line) and hands it to onConfirm. */
  reason?: { label: string; required: boolean; hint?: string };
  /** Runs the change; a rejection is shown in the modal, which stays open. */
  onConfirm: (reason: string | null) => Promise<unknown>;
  onDismiss: () => void;
  /** The button that changes nothing; "Cancel" unless that would be confused with the change. */
  dismissLabel?: string;
}

/** A change that cannot be taken back, or hurts, is confirmed in a modal that says what will happen. */
export function ConfirmModal({ title, children, confirmLabel, reason, onConfirm, onDismiss, dismissLabel = 'Cancel' }: ConfirmModalProps) {
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reasonError = reason && (reason.required || text.trim()) ? reasonProblem(text) : null;

  const confirm = async () => {
    setTouched(true);
    if (reasonError) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm(reason ? text.trim() || null : null);
      onDismiss();
    } catch (e) {
      setError(problemSentence(e));
      setBusy(false);
    }
  };

  return (
    <Modal
      visible
      onDismiss={() => (busy ? undefined : onDismiss())}
      header={title}
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss} disabled={busy}>{dismissLabel}</Button>
            <Button variant="primary" onClick={() => void confirm()} loading={busy}>{confirmLabel}</Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <div>{children}</div>
        {reason ? (
          <form onSubmit={(e) => { e.preventDefault(); void confirm(); }}>
            <FormField
              label={reason.required ? reason.label : `${reason.label} (optional)`}
              description={reason.hint ?? '1 to 500 characters, one line.'}
              errorText={touched ? reasonError : null}
            >
              <Input value={text} onChange={({ detail }) => setText(detail.value)} ariaRequired={reason.required} autoFocus />
            </FormField>
          </form>
        ) : null}
        {error ? <Alert type="error">{error}</Alert> : null}
      </SpaceBetween>
    </Modal>
  );
}
