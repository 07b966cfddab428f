// The problem types of the customer view and the mail-link pages, said in words a customer user
// understands. Built on the page's one problem mapping (../problem/problem): types not named here
// are said by it as the API words them.
import { ApiError } from '../api/client';
import { formProblemFrom, problemSentence, type FormProblem } from '../problem/problem';

const WORDS: Record<string, string> = {
  'last-admin':
    'This is the last customer admin: a customer always keeps at least one. Make another member a customer admin first.',
  'customer-disabled':
    'This customer is disabled: its tenants cannot be opened and nothing new can be made until the partner enables it again.',
  'customer-not-active':
    'This customer is not active yet (its registration awaits approval or e-mail confirmation): it can be looked at, not changed.',
  'quota-exceeded':
    'The customer has as many projects as its quota allows. Ask your partner to raise the project quota.',
  'concurrent-modification': 'Something changed at the same moment. Please try again.',
  'invitation-pending': 'This address has a pending invitation already. Resend it instead of inviting again.',
  'already-member': 'This address belongs to a member of the customer already.',
  'invitation-not-pending': 'This invitation is no longer pending (it was accepted, cancelled or has expired).',
  'project-identifier-taken': 'The customer has a project with this identifier already.',
  'tenant-exists': 'The project has a tenant on this platform already.',
  'platform-not-configured': "This tenant's platform is no longer offered, so there is no console to open.",
  'identifier-taken': 'A customer with this identifier exists already. Choose another one.',
  'email-required': 'Your account has no e-mail address; registering a customer needs one.',
  'restricted-tag': 'One of these tags may only be set by the partner.',
  // Accepting an invitation (410/404/403 on POST /invitations/accept)
  'invitation-used': 'This invitation has been accepted already. Each invitation link works once.',
  'invitation-cancelled': 'This invitation was cancelled by the customer admin.',
  'invitation-superseded': 'A newer invitation mail was sent since: use the link of the latest mail.',
  'invitation-expired': 'This invitation has expired. Ask the customer admin to send it again.',
  'invitation-not-found': 'This invitation link is not known. Use the link of the latest invitation mail, complete and unchanged.',
  'invitation-email-mismatch':
    'This invitation was sent to another e-mail address than the one you are signed in with. Sign in with the invited address.',
  'email-not-verified':
    'Your e-mail address is not verified yet. Verify it with your identity provider, then try again.',
  // Confirming an e-mail address (410/404 on POST /email-confirmations)
  'confirmation-used': 'This confirmation link has been used already: the address is confirmed.',
  'confirmation-expired': 'This confirmation link has expired. Ask your partner for a new approval mail.',
  'confirmation-superseded':
    'This confirmation link was replaced by a newer mail, or the customer no longer awaits confirmation.',
  'confirmation-not-found': 'This confirmation link is not known. Use the link of the latest mail, complete and unchanged.',
};

/** The words for a problem type of these pages, or null when the general mapping says it. */
export function wordsForType(type: string): string | null {
  return WORDS[type] ?? null;
}

/** One sentence for an error about no particular field. */
export function describeProblem(error: unknown): string {
  if (error instanceof ApiError) {
    const words = wordsForType(error.problem.type);
    if (words) return words;
  }
  return problemSentence(error);
}

/**
 * A form's problem: the API's field errors next to their fields (A1's mapping), problem types that
 * are about one field (`identifier-taken` → `identifier`) next to that field, and any other type in
 * the words above.
 */
export function memberFormProblem(
  error: unknown,
  shownFields: readonly string[],
  fieldOfType: Record<string, string> = {},
): FormProblem {
  const base = formProblemFrom(error, shownFields);
  if (!(error instanceof ApiError) || base.stale) return base;
  const { type } = error.problem;
  const field = fieldOfType[type];
  const words = wordsForType(type);
  if (field && shownFields.includes(field)) {
    return { ...base, fields: { ...base.fields, [field]: words ?? problemSentence(error) }, message: null };
  }
  if (words && Object.keys(base.fields).length === 0) return { ...base, message: words };
  return base;
}
