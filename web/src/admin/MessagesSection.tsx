import { useState, type FormEvent } from 'react';
import { listMessages, sendMessage } from '../api/admin';
import type { Message, MessageMode } from '../api/types';
import { useApi } from '../auth/AuthContext';
import { FormMessage } from '../problem/FormMessage';
import { useFormProblem } from '../problem/useFormProblem';
import { Field } from '../ui/Field';
import { EmptyState, Loading } from '../ui/Loading';
import { ProblemText } from '../ui/ProblemText';
import { useShowMore } from '../ui/useShowMore';
import { useCustomer } from './CustomerPage';
import { formatTime } from './labels';
import { MESSAGE_MAX_LENGTH, messageTextProblem } from './message';

const MODE_LABEL: Record<MessageMode, string> = { ALL_MUST_READ: 'All must read', SINGLE_READ: 'Single read only' };

export function MessagesSection() {
  const api = useApi();
  const { customer } = useCustomer();
  const id = customer.identifier;
  const list = useShowMore((cursor) => listMessages(api, id, cursor).then((r) => r.body), [api, id]);
  const { first, items: messages, nextCursor, moreError } = list;

  return (
    <section aria-labelledby="messages-heading">
      <h2 id="messages-heading">Messages to {customer.displayName}</h2>
      <SendMessageForm
        customerId={id}
        onSent={list.reloadAll}
      />
      <h3>Sent messages</h3>
      {first.result.state === 'loading' ? <Loading label="Loading messages…" /> : null}
      {first.result.state === 'failed' ? <ProblemText error={first.result.error} onRetry={first.reload} /> : null}
      {first.result.state === 'loaded' ? (
        messages.length === 0 ? <EmptyState>No message was sent to this customer yet.</EmptyState> : (
          <table>
            <caption className="visually-hidden">Messages sent to {id}</caption>
            <thead>
              <tr><th scope="col">Sent</th><th scope="col">Text</th><th scope="col">Mode</th><th scope="col">Read by</th></tr>
            </thead>
            <tbody>
              {messages.map((m) => (
                <tr key={m.messageId}>
                  <td>{formatTime(m.sentAt)}<br /><span className="hint">by {m.sender.email ?? m.sender.userId}</span></td>
                  <td style={{ whiteSpace: 'pre-wrap' }}>{m.text}</td>
                  <td>{MODE_LABEL[m.mode]}</td>
                  <td>{readBy(m)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {moreError ? <ProblemText error={moreError} /> : null}
      {nextCursor ? (
        <button type="button" onClick={list.showMore}>
          Show more messages
        </button>
      ) : null}
    </section>
  );
}

function readBy(m: Message): string {
  if (m.recipientCount === null) return `Being delivered… (${m.acknowledgedCount} read so far)`;
  const counts = `${m.acknowledgedCount} of ${m.recipientCount} read`;
  return m.resolvedAt ? `${counts}; resolved ${formatTime(m.resolvedAt)}` : counts;
}

export function SendMessageForm({ customerId, onSent }: { customerId: string; onSent: () => void }) {
  const api = useApi();
  const [text, setText] = useState('');
  const [mode, setMode] = useState<MessageMode>('ALL_MUST_READ');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const { problem, report, clear, fieldError } = useFormProblem(['text', 'mode']);
  const length = [...text].length;
  // Too long is said at once; empty only after an attempt to send.
  const textProblem = length > MESSAGE_MAX_LENGTH || submitted ? messageTextProblem(text) : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setSent(null);
    clear();
    if (messageTextProblem(text)) return;
    setBusy(true);
    try {
      await sendMessage(api, customerId, { text, mode });
      setSent(`The message was sent to the users of ${customerId}.`);
      setText('');
      setSubmitted(false);
      onSent();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label={`Send message to ${customerId}`}>
      <Field label="Message" hint={`${length} of ${MESSAGE_MAX_LENGTH} characters`} error={textProblem ?? fieldError('text')}>
        {(control) => <textarea {...control} rows={4} cols={60} value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <fieldset>
        <legend>Recipients</legend>
        <label className="check">
          <input type="radio" name="mode" value="ALL_MUST_READ" checked={mode === 'ALL_MUST_READ'} onChange={() => setMode('ALL_MUST_READ')} />{' '}
          All must read <span className="hint">— every user sees it until they acknowledge it</span>
        </label>
        <label className="check">
          <input type="radio" name="mode" value="SINGLE_READ" checked={mode === 'SINGLE_READ'} onChange={() => setMode('SINGLE_READ')} />{' '}
          Single read only <span className="hint">— it disappears for everyone once one user acknowledges it</span>
        </label>
        {fieldError('mode') ? <p className="field-error">{fieldError('mode')}</p> : null}
      </fieldset>
      <FormMessage problem={problem} />
      {sent ? <p role="status" className="notice">{sent}</p> : null}
      <button type="submit" className="primary" disabled={busy}>Send message</button>
    </form>
  );
}
