import type { Schemas } from '../../api/client';

export type StatusChange = 'approve' | 'reject' | 'disable' | 'enable';

/** The status changes a customer in this status allows, in the order they are offered. */
export function statusChangesOf(customer: Schemas['Customer']): StatusChange[] {
  switch (customer.status) {
    case 'PENDING_APPROVAL': return ['approve', 'reject'];
    case 'ACTIVE': return ['disable'];
    case 'DISABLED': return ['enable'];
    default: return [];
  }
}

export const STATUS_CHANGE_LABEL: Record<StatusChange, string> = {
  approve: 'Approve', reject: 'Reject', disable: 'Disable', enable: 'Enable',
};
