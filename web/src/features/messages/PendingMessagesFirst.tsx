// The "at login" screen: the user's pending messages (from every customer they belong to), one at
// a time and acknowledged one by one, before the page goes on to the user's area.
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, answer } from '../../api/client';
import { keys, myMessagesQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { Loading } from '../../shared/Loading';
import { problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useDocumentTitle } from '../../shared/useDocumentTitle';

const MODE_WORDS = {
  ALL_MUST_READ: 'Every recipient must acknowledge this message.',
  SINGLE_READ: 'Once one recipient acknowledges this message, it disappears for everyone.',
} as const;

export default function PendingMessagesFirst({ children }: { children: ReactNode }) {
  useDocumentTitle('Messages for you');
  const api = useApi();
  const queryClient = useQueryClient();
  const [skipped, setSkipped] = useState(false);
  // The list as it was at login: acknowledging one walks on to the next, without reading again.
  const messages = useQuery(myMessagesQuery(api));
  const [index, setIndex] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const acknowledge = useMutation({
    mutationFn: (messageId: string) => answer(api.POST('/me/messages/{messageId}/acknowledgement', { params: { path: { messageId } } })),
    // 404: the message is gone already (resolved by another recipient, or the user left): go on.
    onSuccess: () => setIndex((i) => i + 1),
    onError: (error) => {
      if (error instanceof ApiError && error.status === 404) setIndex((i) => i + 1);
    },
  });
  const items = messages.data?.items ?? [];
  const done = skipped || (messages.isSuccess && index >= items.length);
  useEffect(() => {
    if (index > 0) heading.current?.focus();
  }, [index]);
  useEffect(() => {
    if (done && messages.isSuccess) void queryClient.invalidateQueries({ queryKey: keys.myMessages });
  }, [done, messages.isSuccess, queryClient]);

  if (done) return <>{children}</>;
  if (messages.isPending) return <Loading label="Looking for messages for you…" />;
  if (messages.isError) {
    return (
      <Container header={<Header variant="h1">Messages for you</Header>}>
        <SpaceBetween size="m">
          <Alert type="error" header="Your messages could not be read">{problemSentence(messages.error)}</Alert>
          <SpaceBetween direction="horizontal" size="xs">
            <Button onClick={() => void messages.refetch()}>Try again</Button>
            <Button variant="link" onClick={() => setSkipped(true)}>Continue without messages</Button>
          </SpaceBetween>
        </SpaceBetween>
      </Container>
    );
  }
  const message = items[index]!;
  const failed = acknowledge.isError && !(acknowledge.error instanceof ApiError && acknowledge.error.status === 404);
  return (
    <Container
      header={
        <Header variant="h1" description={`Message ${index + 1} of ${items.length}`}>
          <span ref={heading} tabIndex={-1}>Messages for you</span>
        </Header>
      }
    >
      <SpaceBetween size="m">
        <Box variant="small">
          From {message.sender.email ?? message.sender.userId} to the users of {message.customerId}, <Time iso={message.sentAt} />
        </Box>
        <Box variant="p"><span style={{ whiteSpace: 'pre-wrap' }}>{message.text}</span></Box>
        <Box variant="small">{MODE_WORDS[message.mode]}</Box>
        {failed ? <Alert type="error">{problemSentence(acknowledge.error)}</Alert> : null}
        <Button variant="primary" loading={acknowledge.isPending} onClick={() => acknowledge.mutate(message.messageId)}>Acknowledge message</Button>
      </SpaceBetween>
    </Container>
  );
}
