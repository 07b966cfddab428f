// Renders a piece of the page as it runs: a fake API (answers queued per request, every request
// recorded), TanStack Query without retries, a signed-in user, a router at `path`, notifications.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { createApi, type Schemas } from '../api/client';
import { StaticAppServices, type AppServices } from '../auth/AuthContext';
import type { SignedInUser } from '../auth/claims';
import { NotificationsProvider, useNotifications } from '../shared/notifications';

export interface SeenRequest {
  method: string;
  /** path and query, without the base URL */
  path: string;
  headers: Headers;
  body: unknown;
}

/** `text`: a body sent as it is (e.g. a CSV), with the content type given in `headers`. */
export type Answer = { status: number; body?: unknown; text?: string; headers?: Record<string, string> };

/** Answers by `METHOD /path` prefix (the first unused match wins), so the order of reads does not matter. */
export function fakeApi(routes: [string, Answer][]) {
  const seen: SeenRequest[] = [];
  const queue = [...routes];
  const api = createApi({
    baseUrl: 'http://api.test',
    getToken: () => 'test-token',
    fetchImpl: async (request) => {
      const input = request as unknown as Request;
      const url = new URL(input.url);
      const path = `${url.pathname}${url.search}`;
      const text = await input.text();
      seen.push({ method: input.method, path, headers: input.headers, body: text ? JSON.parse(text) : undefined });
      const at = queue.findIndex(([route]) => {
        const [method, prefix] = route.split(' ');
        return method === input.method && (path === prefix || path.startsWith(`${prefix}?`) || (prefix!.endsWith('*') && path.startsWith(prefix!.slice(0, -1))));
      });
      if (at < 0) throw new Error(`no answer queued for ${input.method} ${path}`);
      const [[, answer]] = queue.splice(at, 1) as [[string, Answer]];
      const body = answer.text ?? (answer.body === undefined ? null : JSON.stringify(answer.body));
      const contentType = answer.status >= 400 ? 'application/problem+json' : 'application/json';
      return new Response(answer.status === 204 ? null : body, { status: answer.status, headers: { 'content-type': contentType, ...answer.headers } });
    },
  });
  return { api, seen, writes: () => seen.filter((r) => r.method !== 'GET') };
}

export const partnerAdmin: SignedInUser = {
  sub: 'u-pat', email: 'pat@acme.example', name: 'Pat', groups: ['partner-admins'], partnerId: 'acme', adminRole: 'PARTNER_ADMIN', expiresAt: null,
};
export const customerUser: SignedInUser = {
  sub: 'u-sam', email: 'sam@shop.example', name: 'Sam', groups: [], partnerId: null, adminRole: null, expiresAt: null,
};

export const exampleCustomer: Schemas['Customer'] = {
  identifier: 'globex', displayName: 'Globex', status: 'ACTIVE', managingPartnerId: 'acme', projectQuota: 10,
  projectCount: 2, tags: {}, createdAt: '2026-01-15T10:30:00Z', createdBy: 'u-1', version: 3,
};

export const problem = (status: number, type: string, extra: Record<string, unknown> = {}): Answer => ({
  status, body: { type, title: 'Refused', status, detail: `${type} happened`, ...extra },
});

export const page = <T,>(items: T[], nextCursor: string | null = null): Answer => ({ status: 200, body: { items, nextCursor } });

function Notifications() {
  const { items } = useNotifications();
  return <div data-testid="notifications">{items.map((item) => <p key={item.id}>{item.content}</p>)}</div>;
}

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

/** `route` is the route pattern the element is mounted at (e.g. `/admin/customers/:id/:section`). */
export function renderPage(ui: ReactElement, { api, path = '/', route = '*', user = partnerAdmin }: { api: AppServices['api']; path?: string; route?: string; user?: SignedInUser }) {
  const services: AppServices = {
    config: { apiBaseUrl: 'http://api.test', auth: { authorizeUrl: '', tokenUrl: '', logoutUrl: null, clientId: 'c', scopes: [] } },
    api, user, signIn: () => {}, signOut: () => {}, sessionEnded: false,
  };
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <StaticAppServices value={services}>
      <QueryClientProvider client={queryClient}>
        <NotificationsProvider>
          <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
            <Routes>
              <Route path={route} element={ui} />
            </Routes>
            <LocationProbe />
            <Notifications />
          </MemoryRouter>
        </NotificationsProvider>
      </QueryClientProvider>
    </StaticAppServices>,
  );
}
