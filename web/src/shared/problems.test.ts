import { describe, expect, it } from 'vitest';
import { ApiError, problemFrom } from '../api/client';
import { formProblem, normalizeField, problemSentence } from './problems';

const validation = (errors: Record<string, string>) =>
  new ApiError(400, { type: 'validation-failed', title: 'Invalid request', status: 400, detail: 'some fields are invalid', errors });

describe('problem wording', () => {
  it('puts each field error next to its field and says the others in the form message', () => {
    const problem = formProblem(validation({ identifier: 'bad shape', 'users[1].email': 'not an address', partnerId: 'nope' }), ['identifier', 'users[1].email']);
    expect(problem.fields).toEqual({ identifier: 'bad shape', 'users[1].email': 'not an address' });
    expect(problem.message).toBe('Please correct the marked fields. partnerId: nope');
  });
  it('says a known problem type in words, next to its field when it is about one', () => {
    const taken = new ApiError(409, { type: 'identifier-taken', title: 'Conflict', status: 409, detail: 'customer "acme" exists' });
    expect(formProblem(taken, ['identifier'], { 'identifier-taken': 'identifier' }).fields.identifier).toBe('A customer with this identifier exists already. Choose another one.');
    expect(problemSentence(new ApiError(409, { type: 'customer-not-pending', title: 'Conflict', status: 409, detail: 'x' }))).toMatch(/no longer pending approval/);
  });
  it('reads JSON pointers as dotted paths, and names unshown fields in a sentence', () => {
    expect(normalizeField('/users/0/email')).toBe('users[0].email');
    expect(problemSentence(validation({ until: 'must be later than since' }))).toBe('Invalid request: some fields are invalid (until: must be later than since)');
  });
  it('turns a gateway answer or one that is not JSON into a generic problem', () => {
    expect(problemFrom(401, { message: 'Unauthorized' })).toMatchObject({ status: 401, detail: 'Unauthorized', title: 'You are not signed in' });
    expect(problemFrom(502, '<html>bad gateway</html>')).toMatchObject({ status: 502, type: 'unexpected-answer' });
  });
});
