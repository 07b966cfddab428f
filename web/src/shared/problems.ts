// The page's one wording of problem+json: an ApiError becomes a sentence people understand, with
// the API's field errors put next to the form's fields. The admin area and the customer view both
// say every problem through here.
import { ApiError, NETWORK_ERROR_STATUS } from '../api/client';

export const STALE_MESSAGE = 'Someone else changed this in the meantime.';

/** Problem types in words; a type not named here is said as the API words it. */
const WORDS: Record<string, string> = {
  'last-admin':
    'This is the last customer admin whose membership does not end: a customer always keeps at least one. Make another member a customer admin without an end first.',
  'access-review-too-large':
    'This customer has more members or service users than one access review covers (1000 members, 500 service users).',
  'customer-disabled':
    'This customer is disabled: its tenants cannot be opened and no service users can be created until the partner enables it again.',
  'customer-not-active':
    'This customer is not active yet (its registration awaits approval or e-mail confirmation): it can be looked at, not changed.',
  'customer-not-pending': 'This customer is no longer pending approval: someone approved or rejected it meanwhile.',
  'quota-exceeded': 'The customer has as many projects as its quota allows. Ask your partner to raise the project quota.',
  'concurrent-modification': 'Something changed at the same moment. Please try again.',
  'invitation-pending': 'This address has a pending invitation already. Resend it instead of inviting again.',
  'already-member': 'This address belongs to a member of the customer already.',
  'invitation-not-pending': 'This invitation is no longer pending (it was accepted, cancelled or has expired).',
  'too-many-invitations': 'This customer has as many pending invitations as allowed. Cancel some before inviting more.',
  'project-identifier-taken': 'The customer has a project with this identifier already.',
  'too-many-api-keys': 'There are 50 API keys already, as many as allowed. Revoke one that is no longer used first.',
  'api-key-not-found': 'This API key no longer exists: it was revoked meanwhile.',
  'tenant-exists': 'The project has a tenant on this platform already.',
  'platform-not-configured': "This tenant's platform is no longer offered, so there is no console to open.",
  'identifier-taken': 'A customer with this identifier exists already. Choose another one.',
  'email-required': 'Your account has no e-mail address; registering a customer needs one.',
  'registration-pending': 'You have a registration that still awaits approval. Wait for it before registering another customer.',
  'restricted-tag': 'One of these tags may only be set by the partner.',
  'invitation-used': 'This invitation has been accepted already. Each invitation link works once.',
  'invitation-cancelled': 'This invitation was cancelled by the customer admin.',
  'invitation-superseded': 'A newer invitation mail was sent since: use the link of the latest mail.',
  'invitation-expired': 'This invitation has expired. Ask the customer admin to send it again.',
  'invitation-not-found': 'This invitation link is not known. Use the link of the latest invitation mail, complete and unchanged.',
  'invitation-email-mismatch':
    'This invitation was sent to another e-mail address than the one you are signed in with. Sign in with the invited address.',
  'email-not-verified': 'Your e-mail address is not verified yet. Verify it with your identity provider, then try again.',
  'confirmation-used': 'This confirmation link has been used already: the address is confirmed.',
  'confirmation-expired': 'This confirmation link has expired. Ask your partner for a new approval mail.',
  'confirmation-superseded': 'This confirmation link was replaced by a newer mail, or the customer no longer awaits confirmation.',
  'confirmation-not-found': 'This confirmation link is not known. Use the link of the latest mail, complete and unchanged.',
};

/** One sentence for an error that is about no particular field. */
export function problemSentence(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : 'Something went wrong.';
  const { problem, status } = error;
  const words = WORDS[problem.type];
  if (words) return words;
  if (status === NETWORK_ERROR_STATUS) return `${problem.title}. ${problem.detail}`;
  if (status === 412) return `${STALE_MESSAGE} Look at the current values and apply your change again.`;
  const detail = problem.detail && problem.detail !== problem.title ? `: ${problem.detail}` : '';
  if (status === 401) return `Your sign-in has ended${detail}. Please sign in again.`;
  if (status === 403) return `Not allowed${detail}.`.replace(/\.\.$/, '.');
  if (status === 404) return `Not found${detail}.`.replace(/\.\.$/, '.');
  const fields = Object.entries(problem.errors ?? {}).map(([name, message]) => `${normalizeField(name)}: ${message}`);
  const sentence = fields.length > 0 ? `${problem.title}${detail} (${fields.join('; ')})` : `${problem.title}${detail}`;
  return /[.!?)]$/.test(sentence) ? sentence : `${sentence}.`;
}

/** The access to a customer is gone (never was, or was taken away): 403/404 on reading it. */
export const isNoAccess = (error: unknown) => error instanceof ApiError && (error.status === 403 || error.status === 404);

export const isStale = (error: unknown) => error instanceof ApiError && error.status === 412;

/**
 * The API names fields as dotted paths with indexes (`users[0].email`, `tags.costCenter`); a JSON
 * pointer (`/users/0/email`) is read the same way.
 */
export function normalizeField(name: string): string {
  if (!name.startsWith('/')) return name;
  return name
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

export interface FormProblem {
  /** normalized field name → message */
  fields: Record<string, string>;
  /** What to say for the whole form; null when every error sits next to its field. */
  message: string | null;
}

export const noProblem: FormProblem = { fields: {}, message: null };

/**
 * A form's problem: the API's field errors next to the fields the form shows, problem types that
 * are about one field (`identifier-taken` → `identifier`) next to that field, the rest in words.
 */
export function formProblem(error: unknown, shownFields: readonly string[], fieldOfType: Record<string, string> = {}): FormProblem {
  if (!(error instanceof ApiError)) return { fields: {}, message: problemSentence(error) };
  const { problem } = error;
  const typed = fieldOfType[problem.type];
  if (typed && shownFields.includes(typed)) return { fields: { [typed]: problemSentence(error) }, message: null };
  const fields: Record<string, string> = {};
  const elsewhere: string[] = [];
  for (const [raw, message] of Object.entries(problem.errors ?? {})) {
    const name = normalizeField(raw);
    if (shownFields.includes(name) || (name.startsWith('tags.') && shownFields.includes('tags.*'))) fields[name] = message;
    else elsewhere.push(`${name}: ${message}`);
  }
  if (problem.errors && Object.keys(problem.errors).length > 0) {
    return { fields, message: elsewhere.length > 0 ? `Please correct the marked fields. ${elsewhere.join('; ')}` : null };
  }
  return { fields, message: problemSentence(error) };
}
