import { problemSentence } from '../problem/problem';

/** An error that is about no form field, said in words. */
export function ProblemText({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div role="alert" className="form-message">
      <p>{problemSentence(error)}</p>
      {onRetry ? <button type="button" onClick={onRetry}>Try again</button> : null}
    </div>
  );
}
