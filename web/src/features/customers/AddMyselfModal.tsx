import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, type Schemas } from '../../api/client';
import { keys } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { ROLE_LABEL } from '../../shared/labels';
import {
  endProblem, expiresAtOf, hoursFromNow, inputOf, SELF_ASSIGN_DEFAULT_HOURS, selfAssignLimitOf, type EndInput,
} from '../../shared/membershipEnd/end';
import { EndField } from '../../shared/membershipEnd/EndField';
import { endSentence } from '../../shared/membershipEnd/MemberEnd';
import { useNotify } from '../../shared/notifications';
import { formProblem, noProblem } from '../../shared/problems';
import { minuteTime } from '../../shared/time';
import { reasonProblem } from '../../shared/validation';

type Customer = Schemas['Customer'];

/**
 * "Add Myself": why (optional) and when the membership ends — 8 hours from now unless the partner
 * changes it (SELF_ASSIGN_DEFAULT_HOURS says why), or no end. The API may limit how long a partner
 * stays (SELF_ASSIGN_MAX_HOURS) and says the limit only by refusing a later end: the refusal is
 * said next to the field, with the latest end it allows one click away.
 */
export function AddMyselfModal({ customer, onDismiss }: { customer: Customer; onDismiss: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const [reason, setReason] = useState('');
  const [end, setEnd] = useState<EndInput>(() => inputOf(hoursFromNow(SELF_ASSIGN_DEFAULT_HOURS)));
  const [submitted, setSubmitted] = useState(false);
  const [limit, setLimit] = useState<number | null>(null);
  const addMyself = useMutation({
    mutationFn: (body: Schemas['AddMyselfRequest']) =>
      answer(api.POST('/customers/{id}/users/me', { params: { path: { id: customer.identifier } }, body })),
    onSuccess: ({ data }) => {
      const ends = data.expiresAt ? ` Your membership ${endSentence(data.expiresAt)}.` : '';
      notify('success', `You were added to ${customer.identifier} as ${ROLE_LABEL[data.role].toLowerCase()}.${ends} Choose it under Account to work in it.`);
      onDismiss();
    },
    onError: (error) => setLimit((known) => selfAssignLimitOf(error) ?? known),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.customer(customer.identifier) }),
        queryClient.invalidateQueries({ queryKey: keys.myCustomers }),
      ]),
  });
  const refusedLimit = addMyself.isError ? selfAssignLimitOf(addMyself.error) : null;
  const problem = addMyself.isError && refusedLimit === null ? formProblem(addMyself.error, ['reason', 'expiresAt']) : noProblem;
  const reasonError = submitted && reason.trim() ? reasonProblem(reason) : null;
  const endError = submitted ? endProblem(end) : null;
  const submit = () => {
    setSubmitted(true);
    if ((reason.trim() && reasonProblem(reason)) || endProblem(end)) return;
    addMyself.mutate({ ...(reason.trim() ? { reason: reason.trim() } : {}), ...(end.ends ? { expiresAt: expiresAtOf(end) } : {}) });
  };
  const latestAllowed = limit === null ? null : hoursFromNow(limit);

  return (
    <Modal
      visible
      onDismiss={() => (addMyself.isPending ? undefined : onDismiss())}
      closeAriaLabel="Close"
      header={`Add yourself to ${customer.identifier}?`}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss} disabled={addMyself.isPending}>Cancel</Button>
            <Button variant="primary" onClick={submit} loading={addMyself.isPending}>Add Myself</Button>
          </SpaceBetween>
        </Box>
      }
    >
      <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Form errorText={problem.message}>
          <SpaceBetween size="m">
            <Box variant="p">
              You become a member of <b>{customer.displayName}</b> with the role your installation gives partners (customer admin or
              customer employee). Its customer admins are told by e-mail, and the history records it.
            </Box>
            <FormField
              label="Reason (optional)"
              description="Recorded in the history and told to the customer admins. At most 500 characters, one line."
              errorText={reasonError ?? problem.fields.reason}
            >
              <Input value={reason} onChange={({ detail }) => setReason(detail.value)} autoFocus />
            </FormField>
            <EndField
              label="Membership ends"
              description={`Set to ${SELF_ASSIGN_DEFAULT_HOURS} hours from now, a working day: long enough for a task, and your access ends without anyone having to remember it. Change it as the task needs.`}
              value={end}
              onChange={setEnd}
              errorText={
                endError ??
                (refusedLimit !== null ? (
                  <LimitRefusal hours={refusedLimit} onUseLatest={() => setEnd(inputOf(hoursFromNow(refusedLimit)))} />
                ) : (
                  problem.fields.expiresAt
                ))
              }
              noEndLabel="No end"
              noEndDescription={
                latestAllowed
                  ? `Your installation ends a partner's membership after ${limit} hours: without an end it ends then (${minuteTime(latestAllowed.toISOString())}).`
                  : 'Where your installation limits how long partners stay, the membership ends at that limit all the same.'
              }
            />
          </SpaceBetween>
        </Form>
      </form>
    </Modal>
  );
}

/** The API refused an end later than the installation's limit of a self-assignment. */
function LimitRefusal({ hours, onUseLatest }: { hours: number; onUseLatest: () => void }) {
  return (
    <>
      Your installation lets partners stay at most {hours} hours: choose an end within {hours} hours from now, or No end (it then ends
      after {hours} hours).{' '}
      <Button variant="inline-link" formAction="none" onClick={onUseLatest}>Use the latest end allowed</Button>
    </>
  );
}
