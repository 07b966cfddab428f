import type { CustomerStatus } from '../api/types';

export const STATUS_LABEL: Record<CustomerStatus, string> = {
  PENDING_APPROVAL: 'Pending approval',
  AWAITING_EMAIL_CONFIRMATION: 'Awaiting e-mail confirmation',
  ACTIVE: 'Active',
  DISABLED: 'Disabled',
};

export const ROLE_LABEL = { CUSTOMER_ADMIN: 'Customer Admin', CUSTOMER_EMPLOYEE: 'Customer Employee' } as const;

export const formatTime = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
};
