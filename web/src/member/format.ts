// How the customer view writes dates, roles and people.
import type { CustomerRole, CustomerStatus } from '../api/types';

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const ROLE_LABELS: Record<CustomerRole, string> = {
  CUSTOMER_ADMIN: 'Customer admin',
  CUSTOMER_EMPLOYEE: 'Customer employee',
};

export const STATUS_LABELS: Record<CustomerStatus, string> = {
  PENDING_APPROVAL: 'Pending approval',
  AWAITING_EMAIL_CONFIRMATION: 'Awaiting e-mail confirmation',
  ACTIVE: 'Active',
  DISABLED: 'Disabled',
};

/** A member as people know them: name, else e-mail address, else the user id. */
export function personLabel(person: { name?: string | null; email?: string | null; userId: string }): string {
  return person.name || person.email || person.userId;
}

/** "3 of 5 projects" */
export function quotaText(projectCount: number, projectQuota: number): string {
  return `${projectCount} of ${projectQuota} ${projectQuota === 1 ? 'project' : 'projects'}`;
}
