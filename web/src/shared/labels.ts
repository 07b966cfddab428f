// The one set of words for the API's codes (statuses, roles, event types), used by the admin area
// and the customer view alike.
import type { StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import type { Schemas } from '../api/client';

export type CustomerStatus = Schemas['CustomerStatus'];
export type CustomerRole = Schemas['CustomerRole'];
export type EventType = Schemas['EventType'];
export type ActorRole = Schemas['role'];

export const CUSTOMER_STATUSES: CustomerStatus[] = ['PENDING_APPROVAL', 'AWAITING_EMAIL_CONFIRMATION', 'ACTIVE', 'DISABLED'];

export const STATUS_LABEL: Record<CustomerStatus, string> = {
  PENDING_APPROVAL: 'Pending approval',
  AWAITING_EMAIL_CONFIRMATION: 'Awaiting e-mail confirmation',
  ACTIVE: 'Active',
  DISABLED: 'Disabled',
};

export const STATUS_INDICATOR: Record<CustomerStatus, StatusIndicatorProps.Type> = {
  PENDING_APPROVAL: 'pending',
  AWAITING_EMAIL_CONFIRMATION: 'in-progress',
  ACTIVE: 'success',
  DISABLED: 'stopped',
};

export const CUSTOMER_ROLES: CustomerRole[] = ['CUSTOMER_EMPLOYEE', 'CUSTOMER_ADMIN'];

export const ROLE_LABEL: Record<ActorRole, string> = {
  PLATFORM_ADMIN: 'Platform admin',
  PARTNER_ADMIN: 'Partner admin',
  PARTNER_EMPLOYEE: 'Partner employee',
  CUSTOMER_ADMIN: 'Customer admin',
  CUSTOMER_EMPLOYEE: 'Customer employee',
  USER: 'User',
  SYSTEM: 'System',
};

/** A role inside a sentence: "partner admin". */
export const roleWords = (role: string | null | undefined) =>
  role && role in ROLE_LABEL ? ROLE_LABEL[role as ActorRole].toLowerCase() : (role ?? '').toLowerCase();

export const JOINED_VIA_LABEL: Record<Schemas['JoinedVia'], string> = {
  REGISTRATION: 'Registered the customer',
  INVITATION: 'Invitation',
  SELF_ASSIGNMENT: 'Added themselves',
};

export const INVITATION_STATUS_LABEL: Record<Schemas['InvitationStatus'], string> = {
  PENDING: 'Pending',
  ACCEPTED: 'Accepted',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
};

export const INVITATION_STATUS_INDICATOR: Record<Schemas['InvitationStatus'], StatusIndicatorProps.Type> = {
  PENDING: 'pending',
  ACCEPTED: 'success',
  CANCELLED: 'stopped',
  EXPIRED: 'warning',
};

export const MESSAGE_MODE_LABEL: Record<Schemas['MessageMode'], string> = {
  ALL_MUST_READ: 'All must read',
  SINGLE_READ: 'Single read only',
};

export const EVENT_LABEL: Record<EventType, string> = {
  CUSTOMER_REGISTERED: 'Customer registered',
  CUSTOMER_CREATED: 'Customer created',
  USER_INVITED: 'User invited',
  USER_ACCEPTED_INVITATION: 'Invitation accepted',
  USER_INVITATION_CANCELLED: 'Invitation cancelled',
  USER_REMOVED: 'User removed',
  USER_ROLE_CHANGED: 'Role changed',
  MEMBERSHIP_EXPIRY_CHANGED: 'Membership end changed',
  MEMBERSHIP_EXPIRING: 'Membership ending soon',
  ACCESS_REVIEWED: 'Access reviewed',
  CUSTOMER_QUOTA_EDITED: 'Quota changed',
  USER_ASSIGNED_HIMSELF: 'Partner added themselves',
  CUSTOMER_STATUS_CHANGED: 'Status changed',
  CUSTOMER_APPROVED: 'Customer approved',
  CUSTOMER_REJECTED: 'Registration rejected',
  CUSTOMER_UPDATED: 'Customer renamed',
  CUSTOMER_TAGS_EDITED: 'Tags edited',
  EMAIL_CONFIRMED: 'E-mail confirmed',
  MESSAGE_SENT: 'Message sent',
  MESSAGE_ACKNOWLEDGED: 'Message acknowledged',
  PROJECT_CREATED: 'Project created',
  TENANT_CREATED: 'Tenant created',
  SERVICE_USER_CREATED: 'Service user created',
  SERVICE_USER_DELETED: 'Service user deleted',
  TAG_DEFINITION_CREATED: 'Tag definition created',
  TAG_DEFINITION_UPDATED: 'Tag definition changed',
  TAG_DEFINITION_DELETED: 'Tag definition deleted',
  API_KEY_CREATED: 'API key created',
  API_KEY_REVOKED: 'API key revoked',
};

export const EVENT_TYPES = Object.keys(EVENT_LABEL) as EventType[];

/** A member as people know them: name, else e-mail address, else the user id. */
export function personLabel(person: { name?: string | null; email?: string | null; userId: string }): string {
  return person.name || person.email || person.userId;
}

/** "3 of 5 projects" */
export function quotaText(projectCount: number, projectQuota: number): string {
  return `${projectCount} of ${projectQuota} ${projectQuota === 1 ? 'project' : 'projects'}`;
}
