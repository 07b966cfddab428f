// The one HTTP client of the page: openapi-fetch typed by the generated `schema.d.ts` (from
// infra/openapi.yaml), a bearer id_token on every request, and every non-2xx answer turned into an
// ApiError carrying an RFC 9457 problem.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type Api = Client<paths>;

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** status 0: the request never got an answer (network failure, CORS refusal). */
export const NETWORK_ERROR_STATUS = 0;

export interface ApiClientOptions {
  baseUrl: string;
  /** The id_token to send as bearer, or null when signed out. Read on every request. */
  getToken: () => string | null;
  /** Called on a 401 so the page can ask the user to sign in again. */
  onUnauthorized?: () => void;
  fetchImpl?: typeof fetch;
}

export function createApi(options: ApiClientOptions): Api {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: options.fetchImpl ? (request) => options.fetchImpl!(request) : undefined,
    headers: { accept: 'application/json, application/problem+json' },
  });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = options.getToken();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) options.onUnauthorized?.();
      return response;
    },
  };
  client.use(auth);
  return client;
}

/** An answer's body with the resource's version, quotes included (`"3"`), to send back as If-Match. */
export interface Answer<T> {
  data: T;
  etag: string | null;
  location: string | null;
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** The answer of an openapi-fetch call, or an ApiError for anything but 2xx. */
export async function answer<T>(call: Promise<FetchResult<T>>): Promise<Answer<T>> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(NETWORK_ERROR_STATUS, {
      type: 'network-error',
      title: 'The service could not be reached',
      status: NETWORK_ERROR_STATUS,
      detail: 'The request got no answer. Check your connection and try again.',
    });
  }
  const { response } = result;
  if (!response.ok) throw new ApiError(response.status, problemFrom(response.status, result.error));
  return { data: result.data as T, etag: response.headers.get('etag'), location: response.headers.get('location') };
}

/** The body only. */
export const body = async <T>(call: Promise<FetchResult<T>>): Promise<T> => (await answer(call)).data;

/** The version of a listed item as an If-Match value. */
export const etagOf = (version: number) => `"${version}"`;

/** A problem+json body as is; a gateway `{message}` or anything else becomes a generic problem. */
export function problemFrom(status: number, parsed: unknown): Problem {
  if (typeof parsed === 'string') {
    try {
      parsed = parsed ? JSON.parse(parsed) : undefined;
    } catch {
      parsed = undefined;
    }
  }
  if (isRecord(parsed) && typeof parsed.title === 'string') {
    const errors = isRecord(parsed.errors)
      ? Object.fromEntries(Object.entries(parsed.errors).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : undefined;
    return {
      type: typeof parsed.type === 'string' ? parsed.type : 'about:blank',
      title: parsed.title,
      status: typeof parsed.status === 'number' ? parsed.status : status,
      detail: typeof parsed.detail === 'string' ? parsed.detail : '',
      ...(errors ? { errors } : {}),
    };
  }
  const gatewayMessage = isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message : null;
  return {
    type: 'unexpected-answer',
    title: genericTitle(status),
    status,
    detail: gatewayMessage ?? `The service answered with status ${status}.`,
  };
}

function genericTitle(status: number): string {
  if (status === 401) return 'You are not signed in';
  if (status === 403) return 'Not allowed';
  if (status === 404) return 'Not found';
  if (status === 429) return 'Too many requests';
  if (status >= 500) return 'The service had a problem';
  return 'The request failed';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
