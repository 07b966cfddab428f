// Routes of the administration area (customers, members, messages, quota, tags, status, history).
import type { ApiClient, ApiResponse } from './client';
import type {
  Customer, CustomerRole, CustomerStatus, HistoryEntry, Membership, Message, MessageMode, Page, TagDefinition,
  TagValueType, TagValues,
} from './types';

const customerPath = (id: string) => `/customers/${encodeURIComponent(id)}`;

export interface CustomerListQuery {
  q?: string;
  status?: CustomerStatus | '';
  limit?: number;
  cursor?: string | null;
}

export const listCustomers = (api: ApiClient, query: CustomerListQuery = {}) =>
  api.request<Page<Customer>>('/customers', { query: { ...query } });

export interface CreateCustomerRequest {
  identifier: string;
  displayName: string;
  projectQuota?: number | null;
  tags?: TagValues | null;
  users?: { email: string; role: CustomerRole }[] | null;
  partnerId?: string | null;
}

export const createCustomer = (api: ApiClient, body: CreateCustomerRequest) =>
  api.request<Customer>('/customers', { method: 'POST', body });

export const getCustomer = (api: ApiClient, id: string) => api.request<Customer>(customerPath(id));

export const listMembers = (api: ApiClient, id: string, cursor?: string | null) =>
  api.request<Page<Membership>>(`${customerPath(id)}/users`, { query: { cursor } });

export const addMyself = (api: ApiClient, id: string, reason: string | null) =>
  api.request<Membership>(`${customerPath(id)}/users/me`, { method: 'POST', body: { reason } });

export const sendMessage = (api: ApiClient, id: string, body: { text: string; mode: MessageMode }) =>
  api.request<Message>(`${customerPath(id)}/messages`, { method: 'POST', body });

export const listMessages = (api: ApiClient, id: string, cursor?: string | null) =>
  api.request<Page<Message>>(`${customerPath(id)}/messages`, { query: { cursor } });

export const setQuota = (api: ApiClient, id: string, projectQuota: number, ifMatch: string | null) =>
  api.request<Customer>(`${customerPath(id)}/quota`, { method: 'PUT', body: { projectQuota }, ifMatch });

/** A merge: a key with values sets it, a key with null removes it, keys not named stay. */
export const editTags = (api: ApiClient, id: string, edit: Record<string, string[] | null>, ifMatch: string | null) =>
  api.request<Customer>(`${customerPath(id)}/tags`, { method: 'PATCH', body: edit, ifMatch });

export const changeStatus = (
  api: ApiClient, id: string, status: 'ACTIVE' | 'DISABLED', reason: string | null, ifMatch: string | null,
) => api.request<Customer>(`${customerPath(id)}/status`, { method: 'PUT', body: { status, reason }, ifMatch });

/** No body at all: the API refuses one, even `{}`. */
export const approveCustomer = (api: ApiClient, id: string, ifMatch: string | null) =>
  api.request<Customer>(`${customerPath(id)}/approval`, { method: 'POST', ifMatch });

export interface HistoryQuery {
  type?: string;
  /** RFC 3339 with offset */
  since?: string;
  until?: string;
  cursor?: string | null;
  limit?: number;
}

export const listHistory = (api: ApiClient, id: string, query: HistoryQuery = {}) =>
  api.request<Page<HistoryEntry>>(`${customerPath(id)}/events`, { query: { ...query } });

export const listTagDefinitions = (api: ApiClient) =>
  api.request<{ items: TagDefinition[] }>('/tag-definitions');

export interface TagDefinitionRequest {
  key?: string;
  displayName: string;
  description?: string | null;
  valueType?: TagValueType;
  pattern?: string | null;
  options?: string[] | null;
  mandatory?: boolean | null;
  restricted?: boolean | null;
}

export const createTagDefinition = (api: ApiClient, body: TagDefinitionRequest) =>
  api.request<TagDefinition>('/tag-definitions', { method: 'POST', body });

export const replaceTagDefinition = (api: ApiClient, key: string, body: TagDefinitionRequest, ifMatch: string | null) =>
  api.request<TagDefinition>(`/tag-definitions/${encodeURIComponent(key)}`, { method: 'PUT', body, ifMatch });

export const deleteTagDefinition = (api: ApiClient, key: string, ifMatch: string | null): Promise<ApiResponse<unknown>> =>
  api.request<unknown>(`/tag-definitions/${encodeURIComponent(key)}`, { method: 'DELETE', ifMatch });

/** The If-Match value for a resource whose version is known from a list (ETag is `"<version>"`). */
export const etagOf = (version: number) => `"${version}"`;
