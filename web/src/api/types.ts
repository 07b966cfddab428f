// Shapes of infra/openapi.yaml (components/schemas) the page uses.

export type CustomerStatus = 'PENDING_APPROVAL' | 'AWAITING_EMAIL_CONFIRMATION' | 'ACTIVE' | 'DISABLED';
export const CUSTOMER_STATUSES: CustomerStatus[] = ['PENDING_APPROVAL', 'AWAITING_EMAIL_CONFIRMATION', 'ACTIVE', 'DISABLED'];
export type CustomerRole = 'CUSTOMER_ADMIN' | 'CUSTOMER_EMPLOYEE';
export type JoinedVia = 'REGISTRATION' | 'INVITATION' | 'SELF_ASSIGNMENT';
export type TagValues = Record<string, string[]>;

/** The identifier rule of the API (components/schemas/Identifier). */
export const IDENTIFIER_PATTERN = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Customer {
  identifier: string;
  displayName: string;
  status: CustomerStatus;
  managingPartnerId: string;
  projectQuota: number;
  projectCount: number;
  tags: TagValues;
  createdAt: string;
  createdBy: string;
  version: number;
}

export interface Membership {
  customerId: string;
  userId: string;
  email: string | null;
  name: string | null;
  role: CustomerRole;
  joinedAt: string;
  joinedVia: JoinedVia;
  version: number;
}

export type MessageMode = 'ALL_MUST_READ' | 'SINGLE_READ';

export interface Message {
  messageId: string;
  customerId: string;
  text: string;
  mode: MessageMode;
  sender: { userId: string; email: string | null };
  sentAt: string;
  recipientCount: number | null;
  acknowledgedCount: number;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

export type TagValueType = 'STRING' | 'EMAIL' | 'INTEGER' | 'BOOLEAN' | 'SINGLE_SELECT' | 'MULTI_SELECT';
export const TAG_VALUE_TYPES: TagValueType[] = ['STRING', 'EMAIL', 'INTEGER', 'BOOLEAN', 'SINGLE_SELECT', 'MULTI_SELECT'];

export interface TagDefinition {
  key: string;
  displayName: string;
  description: string;
  valueType: TagValueType;
  pattern?: string;
  options?: string[];
  mandatory: boolean;
  restricted: boolean;
  version: number;
}

export interface HistoryEntry {
  eventId: string;
  type: string;
  customerId: string | null;
  occurredAt: string;
  actor: { userId: string; email: string | null; role: string | null } | null;
  data: unknown;
}

export const EVENT_TYPES = [
  'CUSTOMER_REGISTERED', 'CUSTOMER_CREATED', 'USER_INVITED', 'USER_ACCEPTED_INVITATION', 'USER_INVITATION_CANCELLED',
  'USER_REMOVED', 'USER_ROLE_CHANGED', 'CUSTOMER_QUOTA_EDITED', 'USER_ASSIGNED_HIMSELF', 'CUSTOMER_STATUS_CHANGED',
  'CUSTOMER_APPROVED', 'CUSTOMER_UPDATED', 'CUSTOMER_TAGS_EDITED', 'EMAIL_CONFIRMED', 'MESSAGE_SENT',
  'MESSAGE_ACKNOWLEDGED', 'PROJECT_CREATED', 'TENANT_CREATED', 'SERVICE_USER_CREATED', 'SERVICE_USER_DELETED',
  'TAG_DEFINITION_CREATED', 'TAG_DEFINITION_UPDATED', 'TAG_DEFINITION_DELETED',
] as const;
