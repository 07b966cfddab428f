// The "at login" screen: the user's pending messages (from every customer they belong to), shown
// one at a time and acknowledged one by one, before the page goes on to the user's area.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { acknowledgeMessage, listMyMessages, readAll, type InboxEntry } from '../api/member';
import { useApi } from '../auth/AuthContext';
import { Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { describeProblem } from '../member/problemWords';
import { formatDateTime } from '../member/format';
import { useDocumentTitle } from '../ui/useDocumentTitle';

type State =
  | { step: 'loading' }
  | { step: 'failed'; error: unknown }
  | { step: 'reading'; messages: InboxEntry[]; index: number }
  | { step: 'done' };

const MODE_WORDS: Record<InboxEntry['mode'], string> = {
  ALL_MUST_READ: 'Every recipient must acknowledge this message.',
  SINGLE_READ: 'Once one recipient acknowledges this message, it disappears for everyone.',
};

export function PendingMessagesFirst({ children }: { children: ReactNode }) {
  const api = useApi();
  const [state, setState] = useState<State>({ step: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useDocumentTitle('Messages for you');

  useEffect(() => {
    let current = true;
    setState({ step: 'loading' });
    readAll((cursor) => listMyMessages(api, cursor)).then(
      (messages) => {
        if (current) setState(messages.length > 0 ? { step: 'reading', messages, index: 0 } : { step: 'done' });
      },
      (error: unknown) => {
        if (current) setState({ step: 'failed', error });
      },
    );
    return () => {
      current = false;
    };
  }, [api, attempt]);

  if (state.step === 'done') return <>{children}</>;
  if (state.step === 'loading') return <Loading label="Looking for messages for you…" />;
  if (state.step === 'failed') {
    return (
      <section aria-labelledby="messages-heading">
        <h1 id="messages-heading">Messages for you</h1>
        <p>Your messages could not be read.</p>
        <ProblemText error={state.error} onRetry={() => setAttempt((a) => a + 1)} />
        <button type="button" onClick={() => setState({ step: 'done' })}>
          Continue without messages
        </button>
      </section>
    );
  }
  return (
    <MessageReader
      messages={state.messages}
      index={state.index}
      onAcknowledged={() =>
        setState(state.index + 1 < state.messages.length ? { ...state, index: state.index + 1 } : { step: 'done' })
      }
      acknowledge={(messageId) => acknowledgeMessage(api, messageId)}
    />
  );
}

function MessageReader({
  messages, index, onAcknowledged, acknowledge,
}: {
  messages: InboxEntry[];
  index: number;
  onAcknowledged: () => void;
  acknowledge: (messageId: string) => Promise<unknown>;
}) {
  const message = messages[index]!;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Each next message takes the focus, so keyboard and screen-reader users start reading it (the
  // first one is where the page starts anyway).
  useEffect(() => {
    setError(null);
    if (index > 0) headingRef.current?.focus();
  }, [message.messageId, index]);

  const onAcknowledge = async () => {
    setBusy(true);
    setError(null);
    try {
      await acknowledge(message.messageId);
      onAcknowledged();
    } catch (cause) {
      // 404: the message is gone already (another recipient resolved a single-read message, or the
      // user left the customer): nothing is left to acknowledge, so go on.
      if (cause instanceof ApiError && cause.status === 404) onAcknowledged();
      else setError(cause);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="messages-heading" className="pending-messages">
      <h1 id="messages-heading" ref={headingRef} tabIndex={-1}>
        Messages for you
      </h1>
      <p>
        Message {index + 1} of {messages.length}
      </p>
      <article aria-label={`Message from ${message.sender.email ?? 'your partner'}`} className="message">
        <p className="hint">
          For customer <strong>{message.customerId}</strong>, from {message.sender.email ?? 'your partner'}, sent{' '}
          {formatDateTime(message.sentAt)}
        </p>
        <p className="message-text">{message.text}</p>
        <p className="hint">{MODE_WORDS[message.mode]}</p>
      </article>
      {error ? (
        <div role="alert" className="form-message">
          <p>{describeProblem(error)}</p>
        </div>
      ) : null}
      <button type="button" className="primary" onClick={onAcknowledge} disabled={busy}>
        Acknowledge message
      </button>
    </section>
  );
}
