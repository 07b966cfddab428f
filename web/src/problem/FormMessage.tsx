import type { FormProblem } from './problem';

/** The form-level words of a problem; on a 412 with a reload action. */
export function FormMessage({ problem, onReload }: { problem: FormProblem; onReload?: () => void }) {
  if (!problem.message) return null;
  return (
    <div role="alert" className="form-message">
      <p>{problem.message}</p>
      {problem.stale && onReload ? (
        <button type="button" onClick={onReload}>
          Reload
        </button>
      ) : null}
    </div>
  );
}
