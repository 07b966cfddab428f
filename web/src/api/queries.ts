// Reads that more than one feature makes, as TanStack Query options, and the query keys every
// write invalidates. A key starts with what it is about, so one invalidation reaches every list
// and page of it: ['customer', id] covers the customer and everything under it.
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { answer, body, type Api, type Schemas } from './client';

export const keys = {
  customers: ['customers'] as const,
  customer: (id: string) => ['customer', id] as const,
  tagDefinitions: ['tag-definitions'] as const,
  myCustomers: ['me', 'customers'] as const,
  myMessages: ['me', 'messages'] as const,
  platforms: ['platforms'] as const,
};

/** The page size of every list the page shows. */
export const PAGE_SIZE = 25;

/** A customer with its ETag (`"<version>"`), for the writes that send If-Match. */
export const customerQuery = (api: Api, id: string) =>
  queryOptions({
    queryKey: [...keys.customer(id), 'item'],
    queryFn: async () => {
      const { data, etag } = await answer(api.GET('/customers/{id}', { params: { path: { id } } }));
      return { customer: data, etag: etag ?? `"${data.version}"` };
    },
  });

export const tagDefinitionsQuery = (api: Api) =>
  queryOptions({
    queryKey: keys.tagDefinitions,
    queryFn: () => body(api.GET('/tag-definitions')),
    staleTime: 60_000,
  });

/** The user's pending messages as they were at sign-in (acknowledging one walks on without reading again). */
export const myMessagesQuery = (api: Api) =>
  queryOptions({
    queryKey: keys.myMessages,
    queryFn: () => body(api.GET('/me/messages', { params: { query: { limit: 100 } } })),
    refetchOnWindowFocus: false,
    staleTime: Infinity,
  });

/** One page of the customers list: the search, the status filter and the page's cursor ('' = none). */
export const customersQuery = (api: Api, list: { q: string; status: Schemas['CustomerStatus'] | ''; cursor?: string }) =>
  queryOptions({
    queryKey: [...keys.customers, { q: list.q, status: list.status, cursor: list.cursor ?? null }],
    queryFn: () =>
      body(api.GET('/customers', {
        params: {
          query: {
            q: list.q || undefined,
            status: list.status || undefined,
            limit: PAGE_SIZE,
            cursor: list.cursor,
          },
        },
      })),
    placeholderData: keepPreviousData,
  });

export const myCustomersQuery = (api: Api) =>
  queryOptions({
    queryKey: keys.myCustomers,
    queryFn: () => body(api.GET('/me/customers', { params: { query: { limit: 100 } } })),
  });

export const membersQuery = (api: Api, id: string, cursor: string | undefined) =>
  queryOptions({
    queryKey: [...keys.customer(id), 'users', cursor ?? null],
    queryFn: () => body(api.GET('/customers/{id}/users', { params: { path: { id }, query: { limit: PAGE_SIZE, cursor } } })),
    placeholderData: keepPreviousData,
  });

export const invitationsQuery = (api: Api, id: string, cursor: string | undefined) =>
  queryOptions({
    queryKey: [...keys.customer(id), 'invitations', cursor ?? null],
    queryFn: () =>
      body(api.GET('/customers/{id}/invitations', { params: { path: { id }, query: { limit: PAGE_SIZE, cursor } } })),
    placeholderData: keepPreviousData,
  });
