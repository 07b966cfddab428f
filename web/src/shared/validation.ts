// Checks the forms of the customer view make while the user types, by the API's own rules
// (infra/openapi.yaml components/schemas), so most mistakes are said before anything is sent.
// The API stays the authority: what it answers is shown next to the same fields.
/** The identifier rule of the API (components/schemas/Identifier). */
export const IDENTIFIER_PATTERN = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** components/schemas/EmailAddress: a dot-atom local part, `@`, a host of at least two labels. */
export const EMAIL_PATTERN =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

// Control characters and the bidirectional controls components/schemas/DisplayName forbids.
const FORBIDDEN_IN_NAMES = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** Why an e-mail address would be refused, or null when it is fine. */
export function emailProblem(value: string): string | null {
  const email = value.trim();
  if (!email) return 'Enter an e-mail address.';
  if (email.length > 254) return 'An e-mail address has at most 254 characters.';
  if (!EMAIL_PATTERN.test(email)) return 'Enter an e-mail address such as jane@example.com.';
  const local = email.slice(0, email.indexOf('@'));
  if (local.length > 64) return 'The part before the @ has at most 64 characters.';
  return null;
}

/** Why a customer or project identifier would be refused, or null when it is fine. */
export function identifierProblem(value: string): string | null {
  if (!value) return 'Enter an identifier.';
  if (value.length > 32) return `An identifier has at most 32 characters (this one has ${value.length}).`;
  if (/[A-Z]/.test(value)) return 'Use lowercase letters only.';
  if (/[^a-z0-9-]/.test(value)) return 'Use only lowercase letters, digits and hyphens (-).';
  if (value.startsWith('-') || value.endsWith('-')) return 'Start and end with a letter or a digit, not a hyphen.';
  if (!IDENTIFIER_PATTERN.test(value)) return 'Use 1 to 32 lowercase letters, digits or hyphens, starting and ending with a letter or digit.';
  return null;
}

/**
 * Why a display name (a customer's, a project's, a service user's name) would be refused, or null.
 * The API trims it first and applies the rules to what remains.
 */
export function displayNameProblem(value: string, what = 'a name'): string | null {
  const name = value.trim();
  if (!name) return `Enter ${what}.`;
  if ([...name].length > 128) return 'At most 128 characters.';
  if (FORBIDDEN_IN_NAMES.test(name)) return 'Remove the control characters (line breaks, tabs, direction marks).';
  if (!VISIBLE.test(name)) return 'Use at least one visible character (a letter, digit or sign).';
  return null;
}

/**

/** A reason (disable, reject): 1 to 500 characters on one line, as the API takes it. */
export function reasonProblem(value: string): string | null {
  const reason = value.trim();
  if (!reason) return 'Give a reason.';
  if ([...reason].length > 500) return `At most 500 characters (this one has ${[...reason].length}).`;
  if (/[\r\n]/.test(reason)) return 'Keep the reason on one line.';
  if (FORBIDDEN_IN_NAMES.test(reason)) return 'Remove the control characters (tabs, direction marks).';
  return null;
}

/** An access review's note: optional; 1 to 1000 characters after trimming, one line (the API's rule). */
export function reviewNoteProblem(value: string): string | null {
  const note = value.trim();
  if (!note) return null;
  if ([...note].length > 1000) return `At most 1000 characters (this one has ${[...note].length}).`;
  if (/[\r\n]/.test(note)) return 'Keep the note on one line.';
  if (FORBIDDEN_IN_NAMES.test(note)) return 'Remove the control characters (tabs, direction marks).';
  return null;
}

export const MESSAGE_MAX_LENGTH = 2000;

/** null when the text can be sent; the API's rule is 1 to 2000 characters (code points). */
export function messageTextProblem(text: string): string | null {
  const length = [...text].length;
  if (text.trim() === '') return 'Write a message.';
  if (length > MESSAGE_MAX_LENGTH) return `At most ${MESSAGE_MAX_LENGTH} characters: remove ${length - MESSAGE_MAX_LENGTH}.`;
  return null;
}
