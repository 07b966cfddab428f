// Checks the forms of the customer view make while the user types, by the API's own rules
// (infra/openapi.yaml components/schemas), so most mistakes are said before anything is sent.
// The API stays the authority: what it answers is shown next to the same fields.
import { IDENTIFIER_PATTERN } from '../api/types';

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
 * The API says the configured platforms only in the message of a 400 on `platform`
 * ("must be one of the configured platforms: aws, azure, gcp"); this reads them out of it.
 */
export function platformsFromMessage(message: string | null | undefined): string[] {
  const match = /configured platforms:\s*(.+)$/.exec(message ?? '');
  if (!match?.[1]) return [];
  return match[1]
    .split(',')
    .map((name) => name.trim())
    .filter((name) => IDENTIFIER_PATTERN.test(name));
}
