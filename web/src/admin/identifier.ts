import { IDENTIFIER_PATTERN } from '../api/types';

export const IDENTIFIER_RULE =
  'Use 1 to 32 lowercase letters, digits or hyphens, starting and ending with a letter or digit.';

/** Live check of an identifier as it is typed; null when it fits (or nothing is typed yet). */
export function identifierProblem(identifier: string): string | null {
  if (identifier === '') return null;
  if (identifier.length > 32) return `At most 32 characters. ${IDENTIFIER_RULE}`;
  return IDENTIFIER_PATTERN.test(identifier) ? null : IDENTIFIER_RULE;
}
