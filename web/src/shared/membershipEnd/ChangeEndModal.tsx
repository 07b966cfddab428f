import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Form from '@cloudscape-design/components/form';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, etagOf, type Schemas } from '../../api/client';
import { keys } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { personLabel } from '../labels';
import { useNotify } from '../notifications';
import { formProblem, isStale, noProblem } from '../problems';
import { StaleAlert } from '../StaleAlert';
import { endProblem, expiresAtOf, inputOfStored, sameEnd, type EndInput } from './end';
import { EndField } from './EndField';
import { endSentence } from './MemberEnd';

type Member = Schemas['Membership'];

export interface ChangeEndModalProps {
  customer: { identifier: string; displayName: string };
  /**
   * The member as the list shows it now: after a 412 the list is read again and hands the current
   * member (its end and version) in, which the modal shows as stored and sends its If-Match with.
   */
  member: Member;
  /** Whether the member is the caller. */
  self: boolean;
  onDismiss: () => void;
}

/**
 * A customer admin sets, moves or clears when a member's membership ends (PUT
 * /customers/{id}/users/{userId}/expiry with the member's version as If-Match). A 412 shows what is
 * stored now and applies the change again on request; `last-admin` and the API's field errors are
 * said in the modal, which stays open.
 */
export function ChangeEndModal({ customer, member, self, onDismiss }: ChangeEndModalProps) {
  const api = useApi();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const who = self ? 'you' : personLabel(member);
  const whose = self ? 'your membership' : `the membership of ${personLabel(member)}`;
  const [input, setInput] = useState<EndInput>(() => inputOfStored(member.expiresAt));
  const [submitted, setSubmitted] = useState(false);
  const change = useMutation({
    mutationFn: (expiresAt: string | null) =>
      answer(api.PUT('/customers/{id}/users/{userId}/expiry', {
        params: { path: { id: customer.identifier, userId: member.userId }, header: { 'If-Match': etagOf(member.version) } },
        body: { expiresAt },
      })),
    onSuccess: ({ data }) => {
      const subject = self ? 'Your membership' : `The membership of ${personLabel(member)}`;
      notify('success', data.expiresAt ? `${subject} ${endSentence(data.expiresAt)}.` : `${subject} no longer ends.`);
      onDismiss();
    },
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.customer(customer.identifier) }),
        queryClient.invalidateQueries({ queryKey: keys.myCustomers }),
      ]),
  });
  const stale = change.isError && isStale(change.error);
  const problem = change.isError && !stale ? formProblem(change.error, ['expiresAt']) : noProblem;
  const localError = submitted ? endProblem(input) : null;
  const unchanged = !endProblem(input) && sameEnd(expiresAtOf(input), member.expiresAt);
  const submit = () => {
    setSubmitted(true);
    if (endProblem(input)) return;
    change.mutate(expiresAtOf(input));
  };

  return (
    <Modal
      visible
      onDismiss={() => (change.isPending ? undefined : onDismiss())}
      closeAriaLabel="Close"
      header={self ? 'When your membership ends' : `When the membership of ${personLabel(member)} ends`}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss} disabled={change.isPending}>Cancel</Button>
            <Button variant="primary" loading={change.isPending} disabled={unchanged} disabledReason="This is the end stored now." onClick={submit}>Save end</Button>
          </SpaceBetween>
        </Box>
      }
    >
      <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Form errorText={problem.message}>
          <SpaceBetween size="m">
            {stale ? (
              <StaleAlert current={endSentence(member.expiresAt)} mine={endSentence(expiresAtOf(input))} onReapply={submit} busy={change.isPending} />
            ) : null}
            <Box variant="p">
              Now {whose} <b>{endSentence(member.expiresAt)}</b>. From its end on, {who} {self ? 'have' : 'has'} no access to{' '}
              {customer.displayName}, and the membership is removed within 15 minutes; {who} {self ? 'are' : 'is'} e-mailed a few days before.
            </Box>
            {member.role === 'CUSTOMER_ADMIN' && !member.expiresAt ? (
              <Alert type="info">
                A customer always keeps a customer admin whose membership does not end: an end for the last such admin is refused.
              </Alert>
            ) : null}
            <EndField
              label="Membership ends"
              value={input}
              onChange={setInput}
              errorText={localError ?? problem.fields.expiresAt}
              endsDescription="At most a year ahead."
              noEndLabel="Does not end"
            />
          </SpaceBetween>
        </Form>
      </form>
    </Modal>
  );
}
