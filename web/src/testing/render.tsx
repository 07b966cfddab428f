// Renders a piece of the page with a fake API (answers queued per request) and a signed-in user.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Outlet, Route, Routes } from 'react-router-dom';
import { ApiClient } from '../api/client';
import { StaticAppServices, type AppServices } from '../auth/AuthContext';
import type { SignedInUser } from '../auth/claims';
import type { CustomerContext } from '../admin/CustomerPage';
import type { Customer } from '../api/types';

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Answer = { status: number; body?: unknown; text?: string; headers?: Record<string, string> };

export function fakeApi(answers: Answer[]) {
  const seen: SeenRequest[] = [];
  const api = new ApiClient({
    baseUrl: 'http://api.test',
    getToken: () => 'test-token',
    fetchImpl: async (url, init) => {
      seen.push({
        method: init?.method ?? 'GET',
        url: String(url),
        headers: (init?.headers ?? {}) as Record<string, string>,
        body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      });
      const answer = answers.shift();
      if (!answer) throw new Error(`no answer queued for ${init?.method ?? 'GET'} ${String(url)}`);
      const text = answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
      return new Response(answer.status === 204 ? null : text, { status: answer.status, headers: answer.headers });
    },
  });
  return { api, seen };
}

export const partnerAdmin: SignedInUser = {
  sub: 'u-pat', email: 'pat@acme.example', name: 'Pat', groups: ['partner-admins'], partnerId: 'acme',
  adminRole: 'PARTNER_ADMIN', expiresAt: null,
};

export function renderWithApi(ui: ReactElement, api: ApiClient, user: SignedInUser = partnerAdmin) {
  const services: AppServices = {
    config: { apiBaseUrl: 'http://api.test', auth: { authorizeUrl: '', tokenUrl: '', logoutUrl: null, clientId: 'c', scopes: [] } },
    api, user, signIn: () => {}, signOut: () => {}, sessionEnded: false,
  };
  return render(
    <StaticAppServices value={services}>
      <MemoryRouter future={{ v7_startTransition: true }}>{ui}</MemoryRouter>
    </StaticAppServices>,
  );
}

export const exampleCustomer: Customer = {
  identifier: 'globex', displayName: 'Globex', status: 'ACTIVE', managingPartnerId: 'acme', projectQuota: 10,
  projectCount: 2, tags: {}, createdAt: '2026-01-15T10:30:00Z', createdBy: 'u-1', version: 3,
};

/** A customer section as it renders inside the customer page (its Outlet context). */
export function inCustomer(section: ReactElement, context: Partial<CustomerContext> = {}) {
  const value: CustomerContext = {
    customer: exampleCustomer, etag: '"3"', replace: () => {}, reload: () => {}, ...context,
  };
  return (
    <Routes>
      <Route element={<Outlet context={value} />}>
        <Route path="/" element={section} />
      </Route>
    </Routes>
  );
}

export const problem = (status: number, extra: Record<string, unknown> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/problem+json' },
  body: { type: 'validation-failed', title: 'Invalid request', status, detail: 'some fields are invalid', ...extra },
});
