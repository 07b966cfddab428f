// Renders a page of the customer view against a scripted API: each expected request
// ("METHOD /path") answers with the status and body given, in order, and every request is recorded.
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Outlet, Route, Routes } from 'react-router-dom';
import { ApiClient } from '../../api/client';
import type { Customer, CustomerRole } from '../../api/types';
import { StaticAppServices, type AppServices } from '../../auth/AuthContext';
import type { SignedInUser } from '../../auth/claims';
import type { CustomerView } from '../CustomerContext';

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

/** `answers['POST /customers/acme/projects']`: one answer per call, in order; the last repeats. */
export function scriptedApi(answers: Record<string, Answer[] | Answer>) {
  const sent: SentRequest[] = [];
  const used: Record<string, number> = {};
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const key = `${method} ${url.pathname}`;
    const headers = (init?.headers ?? {}) as Record<string, string>;
    sent.push({ method, path: url.pathname + url.search, body: init?.body ? JSON.parse(String(init.body)) : undefined, headers });
    const list = answers[key];
    if (!list) throw new Error(`unexpected request ${key}`);
    const all = Array.isArray(list) ? list : [list];
    const index = Math.min(used[key] ?? 0, all.length - 1);
    used[key] = (used[key] ?? 0) + 1;
    const answer = all[index]!;
    const problem = answer.status >= 400;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': problem ? 'application/problem+json' : 'application/json', ...(answer.headers ?? {}) },
    });
  }) as typeof fetch;
  const api = new ApiClient({ baseUrl: 'http://api.test', getToken: () => 'token', fetchImpl });
  return { api, sent };
}

export const problem = (status: number, type: string, detail = `${type} detail`, errors?: Record<string, string>): Answer => ({
  status,
  body: { type, title: 'Problem', status, detail, ...(errors ? { errors } : {}) },
});

export const page = (items: unknown[]): Answer => ({ status: 200, body: { items, nextCursor: null } });

export const user: SignedInUser = {
  sub: 'pat', email: 'pat@acme.example', name: 'Pat', groups: [], partnerId: null, adminRole: null, expiresAt: null,
};

export function services(api: ApiClient, signedIn: SignedInUser | null = user): AppServices {
  return {
    config: { apiBaseUrl: 'http://api.test', auth: { authorizeUrl: '', tokenUrl: '', logoutUrl: null, clientId: 'c', scopes: [] } },
    api,
    user: signedIn,
    signIn: () => undefined,
    signOut: () => undefined,
    sessionEnded: false,
  };
}

export const acme: Customer = {
  identifier: 'acme', displayName: 'Acme', status: 'ACTIVE', managingPartnerId: 'p', projectQuota: 5, projectCount: 3,
  tags: {}, createdAt: '2026-01-15T10:30:00Z', createdBy: 'pat', version: 1,
};

/** Renders `element` at `path`, with the routes given, for the customer view of `customer`. */
export function renderInCustomer(
  api: ApiClient,
  {
    customer = acme, role = 'CUSTOMER_ADMIN', path, route, element,
    reloadCustomer = () => undefined, replaceCustomer = () => undefined, reloadRole = () => undefined,
  }: {
    customer?: Customer; role?: CustomerRole | null; path: string; route: string; element: ReactNode;
    reloadCustomer?: CustomerView['reloadCustomer']; replaceCustomer?: CustomerView['replaceCustomer'];
    reloadRole?: CustomerView['reloadRole'];
  },
) {
  const view: CustomerView = {
    customer, etag: `"${customer.version}"`, role, isAdmin: role === 'CUSTOMER_ADMIN', reloadCustomer, replaceCustomer,
    reloadRole,
  };
  return render(
    <StaticAppServices value={services(api)}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route element={<Outlet context={view} />}>
            <Route path={route} element={element} />
          </Route>
        </Routes>
      </MemoryRouter>
    </StaticAppServices>,
  );
}

export function renderPage(api: ApiClient, path: string, route: string, element: ReactNode, signedIn: SignedInUser | null = user) {
  return render(
    <StaticAppServices value={services(api, signedIn)}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path={route} element={element} />
        </Routes>
      </MemoryRouter>
    </StaticAppServices>,
  );
}
