// The one HTTP client of the page: bearer id_token, JSON bodies, ETag/Location, If-Match, and every
// non-2xx answer turned into an ApiError carrying an RFC 9457 problem.

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** validation-failed: field (`displayName`, `users[0].email`, `tags.costCenter`, `body`) → message */
  errors?: Record<string, string>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** The current version sent with a 412, when the server knows it. */
  readonly etag: string | null;

  constructor(status: number, problem: Problem, etag: string | null = null) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.etag = etag;
  }
}

/** status 0: the request never got an answer (network failure, CORS refusal, abort). */
export const NETWORK_ERROR_STATUS = 0;

export interface ApiResponse<T> {
  status: number;
  body: T;
  /** The version as the server sends it, quotes included (`"3"`), to hand back as If-Match. */
  etag: string | null;
  location: string | null;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Serialized as JSON; `undefined` sends no body at all. */
  body?: unknown;
  query?: Record<string, string | number | null | undefined>;
  ifMatch?: string | null;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  baseUrl: string;
  /** The id_token to send as bearer, or null when signed out. Read on every request. */
  getToken: () => string | null;
  /** Called on a 401 so the page can ask the user to sign in again. */
  onUnauthorized?: () => void;
  fetchImpl?: typeof fetch;
}

export class ApiClient {
  private readonly options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.options = options;
  }

  url(path: string, query?: RequestOptions['query']): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
    }
    const search = params.toString();
    return `${base}${path}${search ? `?${search}` : ''}`;
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    const token = this.options.getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.ifMatch) headers['if-match'] = options.ifMatch;

    const fetchImpl = this.options.fetchImpl ?? globalThis.fetch.bind(globalThis);
    let response: Response;
    try {
      response = await fetchImpl(this.url(path, options.query), {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw new ApiError(NETWORK_ERROR_STATUS, {
        type: 'network-error',
        title: 'The service could not be reached',
        status: NETWORK_ERROR_STATUS,
        detail: 'The request got no answer. Check your connection and try again.',
      });
    }

    const etag = response.headers.get('etag');
    const location = response.headers.get('location');
    const text = await response.text();

    if (!response.ok) {
      if (response.status === 401) this.options.onUnauthorized?.();
      throw new ApiError(response.status, problemFrom(response.status, text), etag);
    }
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiError(response.status, {
          type: 'unreadable-answer',
          title: 'The answer could not be read',
          status: response.status,
          detail: 'The service sent an answer that is not JSON.',
        });
      }
    }
    return { status: response.status, body: body as T, etag, location };
  }
}

/** A problem+json body as is; a gateway `{message}` or anything else becomes a generic problem. */
export function problemFrom(status: number, text: string): Problem {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
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
