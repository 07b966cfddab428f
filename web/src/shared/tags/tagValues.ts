// Typed tag values: how a definition's values are edited as text, and checked before sending (the
// API checks again and names `tags.<key>` when it disagrees).
import type { Schemas } from '../../api/client';

export type TagDefinition = Schemas['TagDefinition'];
export type TagValues = Record<string, string[]>;

/** The EmailAddress rule of the API (components/schemas/EmailAddress), checked case-insensitively. */
const EMAIL_PATTERN =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const INTEGER_PATTERN = /^[+-]?\d+$/;
const MAX_VALUE_LENGTH = 128;
const MAX_VALUES = 10;

/**
 * The pattern as a JavaScript regex anchored like the API's, or null when Rust's `regex` syntax
 * has no JavaScript equivalent (e.g. `(?i)`): then only the API checks it.
 */
export function patternRegex(pattern: string | undefined): RegExp | null {
  if (!pattern) return null;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return null;
  }
}

/** The message for values that do not fit the definition, or null when they fit. No values: absent. */
export function tagValueProblem(definition: TagDefinition, values: string[]): string | null {
  if (values.length === 0) return definition.mandatory ? 'This tag is mandatory.' : null;
  if (values.length > MAX_VALUES) return `At most ${MAX_VALUES} values.`;
  if (values.some((v) => v.length > MAX_VALUE_LENGTH)) return `A value has at most ${MAX_VALUE_LENGTH} characters.`;
  switch (definition.valueType) {
    case 'STRING': {
      const regex = patternRegex(definition.pattern);
      if (regex && values.some((v) => !regex.test(v))) return `Must match the pattern ${definition.pattern}.`;
      return null;
    }
    case 'EMAIL':
      return values.every((v) => EMAIL_PATTERN.test(v)) ? null : 'Enter e-mail addresses such as jane@example.com, separated by commas.';
    case 'INTEGER':
      return values.length === 1 && INTEGER_PATTERN.test(values[0]!) ? null : 'Enter one whole number.';
    case 'BOOLEAN':
      return values.length === 1 && (values[0] === 'true' || values[0] === 'false') ? null : 'Choose yes or no.';
    case 'SINGLE_SELECT':
      return values.length === 1 && definition.options?.includes(values[0]!) ? null : 'Choose one of the options.';
    case 'MULTI_SELECT':
      return values.every((v) => definition.options?.includes(v)) ? null : 'Choose among the options.';
  }
}

/** Text typed into a STRING, EMAIL or INTEGER input as values (EMAIL takes several, comma-separated). */
export function valuesFromText(definition: TagDefinition, text: string): string[] {
  if (definition.valueType === 'EMAIL') return text.split(',').map((v) => v.trim()).filter(Boolean);
  const trimmed = definition.valueType === 'INTEGER' ? text.trim() : text;
  return trimmed === '' ? [] : [trimmed];
}

export function textFromValues(definition: TagDefinition, values: string[] | undefined): string {
  if (!values) return '';
  return definition.valueType === 'EMAIL' ? values.join(', ') : (values[0] ?? '');
}

export function describeType(definition: TagDefinition): string {
  switch (definition.valueType) {
    case 'STRING': return definition.pattern ? `Text matching ${definition.pattern}` : 'Text';
    case 'EMAIL': return 'E-mail addresses, separated by commas';
    case 'INTEGER': return 'A whole number';
    case 'BOOLEAN': return 'Yes or no';
    case 'SINGLE_SELECT': return 'One of the options';
    case 'MULTI_SELECT': return 'Any of the options';
  }
}
