import { useCallback, useState } from 'react';
import { formProblemFrom, noProblem, type FieldOfProblemType, type FormProblem } from './problem';

/** Keeps the problem of a form's last submission, and says what belongs next to each field. */
export function useFormProblem(
  shownFields: readonly string[] | ((field: string) => boolean),
  fieldOfType?: FieldOfProblemType,
) {
  const [problem, setProblem] = useState<FormProblem>(noProblem);
  const report = useCallback(
    (error: unknown) => setProblem(formProblemFrom(error, shownFields, fieldOfType)),
    [shownFields, fieldOfType],
  );
  const clear = useCallback(() => setProblem(noProblem), []);
  return { problem, report, clear, fieldError: (field: string) => problem.fields[field] ?? null };
}
