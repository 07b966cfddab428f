import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, problemFrom } from '../api/client';
import { formProblemFrom, normalizeField, problemSentence, STALE_MESSAGE } from './problem';

const validation = (errors: Record<string, string>) =>
  new ApiError(400, { type: 'validation-failed', title: 'Invalid request', status: 400, detail: 'some fields are invalid', errors });

describe('normalizeField', () => {
  it('keeps the dotted paths the API sends', () => {
    expect(normalizeField('users[0].email')).toBe('users[0].email');
    expect(normalizeField('tags.costCenter')).toBe('tags.costCenter');
  });
  it('reads a JSON pointer as the same dotted path', () => {
    expect(normalizeField('/users/0/email')).toBe('users[0].email');
    expect(normalizeField('/tags/cost~1center')).toBe('tags.cost/center');
  });
});

describe('formProblemFrom', () => {
  it('places each field error on its field and says the rest in the form message', () => {
    const problem = formProblemFrom(validation({ identifier: 'taken shape', 'users[1].email': 'not an address', partnerId: 'nope' }),
      ['identifier', 'users[1].email']);
    expect(problem.fields).toEqual({ identifier: 'taken shape', 'users[1].email': 'not an address' });
    expect(problem.message).toContain('partnerId: nope');
  });
  it('says a 412 as a stale edit to reload', () => {
    const problem = formProblemFrom(new ApiError(412, { type: 'precondition-failed', title: 'Precondition failed', status: 412, detail: 'x' }), []);
    expect(problem.stale).toBe(true);
    expect(problem.message).toBe(STALE_MESSAGE);
  });
  it('says a problem without field errors by its detail', () => {
    const problem = formProblemFrom(new ApiError(409, { type: 'identifier-taken', title: 'Identifier taken', status: 409, detail: 'customer "acme" exists already' }), ['identifier']);
    expect(problem.fields).toEqual({});
    expect(problem.message).toBe('Identifier taken: customer "acme" exists already');
  });
});

describe('problemSentence', () => {
  it('names the fields of a validation problem that no form shows', () => {
    expect(problemSentence(validation({ until: 'must be later than since' })))
      .toBe('Invalid request: some fields are invalid (until: must be later than since)');
  });
});

describe('problemFrom', () => {
  it('turns a gateway {message} into a generic problem', () => {
    expect(problemFrom(401, '{"message":"Unauthorized"}')).toMatchObject({ status: 401, detail: 'Unauthorized' });
  });
  it('turns a body that is not JSON into a generic problem', () => {
    expect(problemFrom(502, '<html>bad gateway</html>')).toMatchObject({ status: 502, type: 'unexpected-answer' });
  });
});

describe('ApiClient', () => {
  const answer = (status: number, body: string, headers: Record<string, string> = {}) =>
    async () => new Response(body, { status, headers });

  it('sends the bearer token, JSON and If-Match, and reads ETag and Location', async () => {
    let seen: RequestInit | undefined;
    let seenUrl = '';
    const api = new ApiClient({
      baseUrl: 'http://api.test/',
      getToken: () => 'tok',
      fetchImpl: async (url, init) => {
        seenUrl = String(url);
        seen = init;
        return new Response('{"ok":true}', { status: 201, headers: { etag: '"1"', location: '/customers/acme' } });
      },
    });
    const response = await api.request('/customers', { method: 'POST', body: { a: 1 }, ifMatch: '"3"', query: { q: 'ac', cursor: null } });
    expect(seenUrl).toBe('http://api.test/customers?q=ac');
    expect(seen?.headers).toMatchObject({ authorization: 'Bearer tok', 'content-type': 'application/json', 'if-match': '"3"' });
    expect(seen?.body).toBe('{"a":1}');
    expect(response).toMatchObject({ status: 201, etag: '"1"', location: '/customers/acme', body: { ok: true } });
  });

  it('throws a typed ApiError with the problem of a non-2xx answer', async () => {
    const api = new ApiClient({
      baseUrl: '', getToken: () => null,
      fetchImpl: answer(400, JSON.stringify({ type: 'validation-failed', title: 'Invalid', status: 400, detail: 'd', errors: { identifier: 'bad' } }),
        { 'content-type': 'application/problem+json' }),
    });
    const error = await api.request('/customers').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem.errors).toEqual({ identifier: 'bad' });
  });

  it('turns a network failure into an ApiError with status 0', async () => {
    const api = new ApiClient({ baseUrl: '', getToken: () => null, fetchImpl: async () => { throw new TypeError('Failed to fetch'); } });
    const error = await api.request('/customers').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(0);
  });
});
