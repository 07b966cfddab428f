import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import RadioGroup from '@cloudscape-design/components/radio-group';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Textarea from '@cloudscape-design/components/textarea';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, body, type Schemas } from '../../api/client';
import { keys, PAGE_SIZE } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { CursorPagination } from '../../shared/CursorPagination';
import { MESSAGE_MODE_LABEL } from '../../shared/labels';
import { useNotify } from '../../shared/notifications';
import { formProblem, noProblem, problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useListParams } from '../../shared/useListParams';
import { MESSAGE_MAX_LENGTH, messageTextProblem } from '../../shared/validation';

type Customer = Schemas['Customer'];
type Mode = Schemas['MessageMode'];

/** Send a short message to the customer's users (the seed's envelope), and the messages sent. */
export function MessagesTab({ customer }: { customer: Customer }) {
  const api = useApi();
  const id = customer.identifier;
  const queryClient = useQueryClient();
  const notify = useNotify();
  const list = useListParams([], 'messages');
  const [text, setText] = useState('');
  const [mode, setMode] = useState<Mode>('ALL_MUST_READ');
  const [touched, setTouched] = useState(false);
  const sent = useQuery({
    queryKey: [...keys.customer(id), 'messages', list.cursor ?? null],
    queryFn: () => body(api.GET('/customers/{id}/messages', { params: { path: { id }, query: { limit: PAGE_SIZE, cursor: list.cursor } } })),
    placeholderData: keepPreviousData,
  });
  const send = useMutation({
    mutationFn: () => answer(api.POST('/customers/{id}/messages', { params: { path: { id } }, body: { text, mode } })),
    onSuccess: () => {
      notify('success', `The message was sent to the users of ${id}.`);
      setText('');
      setTouched(false);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: [...keys.customer(id), 'messages'] }),
  });
  const localError = touched ? messageTextProblem(text) : null;
  const problem = send.isError ? formProblem(send.error, ['text', 'mode']) : noProblem;

  return (
    <SpaceBetween size="l">
      <form onSubmit={(e) => { e.preventDefault(); setTouched(true); if (!messageTextProblem(text)) send.mutate(); }}>
        <Form actions={<Button variant="primary" iconName="envelope" loading={send.isPending}>Send message</Button>} errorText={problem.message}>
          <Container header={<Header description="Recipients see it when they sign in: the customer's members at the moment it is sent.">Send a message</Header>}>
            <SpaceBetween size="m">
              <FormField label="Message" constraintText={`${[...text].length} of ${MESSAGE_MAX_LENGTH} characters`} errorText={localError ?? problem.fields.text}>
                <Textarea value={text} onChange={({ detail }) => setText(detail.value)} rows={4} />
              </FormField>
              <FormField label="Who must read it" errorText={problem.fields.mode}>
                <RadioGroup
                  value={mode}
                  onChange={({ detail }) => setMode(detail.value as Mode)}
                  items={[
                    { value: 'ALL_MUST_READ', label: MESSAGE_MODE_LABEL.ALL_MUST_READ, description: 'Every recipient sees it until they acknowledge it.' },
                    { value: 'SINGLE_READ', label: MESSAGE_MODE_LABEL.SINGLE_READ, description: 'It disappears for everyone once one recipient acknowledges it, e.g. a task one person does.' },
                  ]}
                />
              </FormField>
            </SpaceBetween>
          </Container>
        </Form>
      </form>
      <Table<Schemas['Message']>
        header={<Header>Sent messages</Header>}
        items={sent.data?.items ?? []}
        loading={sent.isPending}
        loadingText="Loading the sent messages"
        trackBy="messageId"
        wrapLines
        ariaLabels={{ tableLabel: `Messages sent to ${customer.displayName}` }}
        empty={sent.isError ? <Box color="text-status-error">{problemSentence(sent.error)}</Box> : <Box textAlign="center">No messages sent yet.</Box>}
        pagination={<CursorPagination list={list} nextCursor={sent.data?.nextCursor} />}
        columnDefinitions={[
          { id: 'text', header: 'Message', cell: (m) => m.text, isRowHeader: true, maxWidth: 480 },
          { id: 'mode', header: 'Mode', cell: (m) => MESSAGE_MODE_LABEL[m.mode] },
          { id: 'sent', header: 'Sent', cell: (m) => <Time iso={m.sentAt} /> },
          {
            id: 'read',
            header: 'Acknowledged',
            cell: (m) =>
              m.mode === 'SINGLE_READ'
                ? m.resolvedBy ? <>by {m.resolvedBy}, <Time iso={m.resolvedAt} /></> : 'not yet'
                : `${m.acknowledgedCount} of ${m.recipientCount ?? '?'}`,
          },
        ]}
      />
    </SpaceBetween>
  );
}
