// Routes of the customer view (a member's own customers), the pending messages and the pages behind
// mail links. Shapes follow infra/openapi.yaml (components/schemas). Reads shared with the admin
// area (a customer, its members, the tag definitions) live in ./admin.
import type { ApiClient } from './client';
import type { Customer, CustomerRole, CustomerStatus, JoinedVia, Membership, MessageMode, Page, TagValues } from './types';

const customerPath = (id: string) => `/customers/${encodeURIComponent(id)}`;

export interface MyCustomer {
  customerId: string;
  displayName: string;
  status: CustomerStatus;
  role: CustomerRole;
  joinedAt: string;
  joinedVia: JoinedVia;
}

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'CANCELLED' | 'EXPIRED';

export interface Invitation {
  id: string;
  customerId: string;
  email: string;
  role: CustomerRole;
  status: InvitationStatus;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  version: number;
  acceptedBy?: string;
  acceptedAt?: string;
  cancelledBy?: string;
  cancelledAt?: string;
}

export interface Project {
  customerId: string;
  identifier: string;
  displayName: string;
  createdAt: string;
  createdBy: string;
  version: number;
}

export interface Tenant {
  tenantId: string;
  customerId: string;
  projectId: string;
  platform: string;
  createdAt: string;
  createdBy: string;
  version: number;
}

export interface ProjectWithTenants extends Project {
  tenants: Tenant[];
}

export interface ServiceUser {
  serviceUserId: string;
  customerId: string;
  name: string;
  createdAt: string;
  createdBy: string;
  version: number;
}

export interface ServiceUserWithSecret extends ServiceUser {
  /** In the creation's answer only: the service keeps nothing but its hash. */
  secret: string;
}

export interface InboxEntry {
  messageId: string;
  customerId: string;
  text: string;
  mode: MessageMode;
  sender: { userId: string; email: string | null };
  sentAt: string;
}

export interface EmailConfirmed {
  customerId: string;
  email: string;
  status: 'ACTIVE';
}

// --- the caller's own customers and messages ---

export const listMyCustomers = (api: ApiClient, cursor?: string | null) =>
  api.request<Page<MyCustomer>>('/me/customers', { query: { limit: 100, cursor } });

export const listMyMessages = (api: ApiClient, cursor?: string | null) =>
  api.request<Page<InboxEntry>>('/me/messages', { query: { limit: 100, cursor } });

/** No body at all: the API refuses one. */
export const acknowledgeMessage = (api: ApiClient, messageId: string) =>
  api.request<unknown>(`/me/messages/${encodeURIComponent(messageId)}/acknowledgement`, { method: 'POST' });

// --- the customer itself ---

/** The display name is the only field this route changes; the identifier is permanent. */
export const renameCustomer = (api: ApiClient, id: string, displayName: string, ifMatch: string | null) =>
  api.request<Customer>(customerPath(id), { method: 'PATCH', body: { displayName }, ifMatch });

// --- members ---

export const changeMemberRole = (api: ApiClient, id: string, userId: string, role: CustomerRole, ifMatch: string | null) =>
  api.request<Membership>(`${customerPath(id)}/users/${encodeURIComponent(userId)}/role`, {
    method: 'PUT', body: { role }, ifMatch,
  });

export const removeMember = (api: ApiClient, id: string, userId: string, ifMatch: string | null) =>
  api.request<unknown>(`${customerPath(id)}/users/${encodeURIComponent(userId)}`, { method: 'DELETE', ifMatch });

// --- invitations ---

export const listInvitations = (api: ApiClient, id: string, cursor?: string | null) =>
  api.request<Page<Invitation>>(`${customerPath(id)}/invitations`, { query: { limit: 100, cursor } });

export const inviteUser = (api: ApiClient, id: string, body: { email: string; role: CustomerRole }) =>
  api.request<Invitation>(`${customerPath(id)}/invitations`, { method: 'POST', body });

/** Cancel and resend take no body: the API refuses one, even `{}`. */
export const cancelInvitation = (api: ApiClient, id: string, invitationId: string, ifMatch: string | null) =>
  api.request<unknown>(`${customerPath(id)}/invitations/${encodeURIComponent(invitationId)}`, { method: 'DELETE', ifMatch });

export const resendInvitation = (api: ApiClient, id: string, invitationId: string, ifMatch: string | null) =>
  api.request<Invitation>(`${customerPath(id)}/invitations/${encodeURIComponent(invitationId)}/resend`, {
    method: 'POST', ifMatch,
  });

export const acceptInvitation = (api: ApiClient, token: string) =>
  api.request<Membership>('/invitations/accept', { method: 'POST', body: { token } });

// --- projects, tenants ---

export const listProjects = (api: ApiClient, id: string, cursor?: string | null) =>
  api.request<Page<Project>>(`${customerPath(id)}/projects`, { query: { limit: 100, cursor } });

export const createProject = (api: ApiClient, id: string, body: { identifier: string; displayName: string }) =>
  api.request<Project>(`${customerPath(id)}/projects`, { method: 'POST', body });

export const getProject = (api: ApiClient, id: string, projectId: string) =>
  api.request<ProjectWithTenants>(`${customerPath(id)}/projects/${encodeURIComponent(projectId)}`);

export const createTenant = (api: ApiClient, id: string, projectId: string, platform: string) =>
  api.request<Tenant>(`${customerPath(id)}/projects/${encodeURIComponent(projectId)}/tenants`, {
    method: 'POST', body: { platform },
  });

/** No body: the answer is the console link. */
export const openTenantAccess = (api: ApiClient, id: string, projectId: string, tenantId: string) =>
  api.request<{ url: string }>(
    `${customerPath(id)}/projects/${encodeURIComponent(projectId)}/tenants/${encodeURIComponent(tenantId)}/access`,
    { method: 'POST' },
  );

// --- service users ---

export const listServiceUsers = (api: ApiClient, id: string, cursor?: string | null) =>
  api.request<Page<ServiceUser>>(`${customerPath(id)}/service-users`, { query: { limit: 100, cursor } });

export const createServiceUser = (api: ApiClient, id: string, name: string) =>
  api.request<ServiceUserWithSecret>(`${customerPath(id)}/service-users`, { method: 'POST', body: { name } });

export const deleteServiceUser = (api: ApiClient, id: string, serviceUserId: string) =>
  api.request<unknown>(`${customerPath(id)}/service-users/${encodeURIComponent(serviceUserId)}`, { method: 'DELETE' });

// --- mail links, registration ---

/** Sent without a bearer token being needed: the link's token is the proof. */
export const confirmEmail = (api: ApiClient, token: string) =>
  api.request<EmailConfirmed>('/email-confirmations', { method: 'POST', body: { token } });

export const registerCustomer = (api: ApiClient, body: { identifier: string; displayName: string; tags?: TagValues | null }) =>
  api.request<Customer>('/registrations', { method: 'POST', body });

/**
 * Every page of a list, read on while there is a `nextCursor` (a page may be short, even empty,
 * and still have one). Stops after `maxPages` so a misbehaving server cannot keep the page busy.
 */
export async function readAll<T>(readPage: (cursor: string | null) => Promise<{ body: Page<T> }>, maxPages = 20): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const { body }: { body: Page<T> } = await readPage(cursor);
    items.push(...body.items);
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  return items;
}
