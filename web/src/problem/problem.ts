// Turns an ApiError's problem+json into words for a form: a message next to each field the
// problem names, and one message for the form.
import { ApiError, NETWORK_ERROR_STATUS } from '../api/client';

export interface FormProblem {
  /** normalized field name (`users[0].email`, `tags.costCenter`) → message */
  fields: Record<string, string>;
  /** What to say above/below the form; null when every error sits next to its field. */
  message: string | null;
  /** 412: the thing changed since it was read; the form offers a reload. */
  stale: boolean;
  status: number;
}

export const STALE_MESSAGE = 'Someone else changed this in the meantime. Reload to see the current values, then try again.';

/**
 * The API names fields as dotted paths with indexes (`users[0].email`, `tags.costCenter`); a JSON
 * pointer (`/users/0/email`) is accepted too and read the same way.
 */
export function normalizeField(name: string): string {
  if (!name.startsWith('/')) return name;
  return name
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

/** A problem type that is about one field of the form, though the API names none (a 409 conflict). */
export type FieldOfProblemType = Record<string, { field: string; message: string }>;

/**
 * @param shownFields the fields the form shows an error slot for; errors about any other field
 *   are said in the form-level message so none is lost.
 * @param fieldOfType problem types to say next to a field (e.g. `identifier-taken` → identifier).
 */
export function formProblemFrom(
  error: unknown,
  shownFields: readonly string[] | ((field: string) => boolean),
  fieldOfType: FieldOfProblemType = {},
): FormProblem {
  const isShown = typeof shownFields === 'function' ? shownFields : (f: string) => shownFields.includes(f);
  if (!(error instanceof ApiError)) {
    return { fields: {}, message: error instanceof Error ? error.message : 'Something went wrong.', stale: false, status: -1 };
  }
  const { problem, status } = error;
  if (status === 412) return { fields: {}, message: STALE_MESSAGE, stale: true, status };
  const typed = fieldOfType[problem.type];
  if (typed && isShown(typed.field)) return { fields: { [typed.field]: typed.message }, message: 'Please correct the marked fields.', stale: false, status };
  const fields: Record<string, string> = {};
  const elsewhere: string[] = [];
  for (const [rawName, message] of Object.entries(problem.errors ?? {})) {
    const name = normalizeField(rawName);
    if (isShown(name)) fields[name] = message;
    else elsewhere.push(`${name}: ${message}`);
  }
  let message: string | null;
  if (problem.errors && Object.keys(problem.errors).length > 0) {
    message = elsewhere.length > 0
      ? `Please correct the marked fields. ${elsewhere.join('; ')}`
      : 'Please correct the marked fields.';
  } else {
    message = problemSentence(error);
  }
  return { fields, message, stale: false, status };
}

/** One sentence for an error that is about no particular field. */
export function problemSentence(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : 'Something went wrong.';
  const { problem, status } = error;
  if (status === NETWORK_ERROR_STATUS) return `${problem.title}. ${problem.detail}`;
  if (status === 412) return STALE_MESSAGE;
  const detail = problem.detail && problem.detail !== problem.title ? `: ${problem.detail}` : '';
  if (status === 401) return `Your sign-in has ended${detail}. Please sign in again.`;
  if (status === 403) return `Not allowed${detail}.`.replace(/\.\.$/, '.');
  if (status === 404) return `Not found${detail}.`.replace(/\.\.$/, '.');
  // Outside a form (a list's filters, say) the named fields are said in the sentence itself.
  const fields = Object.entries(problem.errors ?? {}).map(([name, message]) => `${normalizeField(name)}: ${message}`);
  return fields.length > 0 ? `${problem.title}${detail} (${fields.join('; ')})` : `${problem.title}${detail}`;
}

export const noProblem: FormProblem = { fields: {}, message: null, stale: false, status: 0 };
