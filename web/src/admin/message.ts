export const MESSAGE_MAX_LENGTH = 2000;

/** null when the text can be sent; the API's rule is 1 to 2000 characters (code points). */
export function messageTextProblem(text: string): string | null {
  const length = [...text].length;
  if (text.trim() === '') return 'Write a message.';
  if (length > MESSAGE_MAX_LENGTH) return `At most ${MESSAGE_MAX_LENGTH} characters: remove ${length - MESSAGE_MAX_LENGTH}.`;
  return null;
}
