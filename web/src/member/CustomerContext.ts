import { useOutletContext } from 'react-router-dom';
import type { Customer, CustomerRole } from '../api/types';

/** What every page of one customer in the customer view knows. */
export interface CustomerView {
  customer: Customer;
  /** The customer's ETag as read, for If-Match on its edits. */
  etag: string | null;
  /** The caller's role in it; null when they are not (or not yet visibly) a member. */
  role: CustomerRole | null;
  isAdmin: boolean;
  /** Reads the customer again (its status, quota and project count change). */
  reloadCustomer: () => void;
  /** Reads the caller's own role again (after they changed it themselves). */
  reloadRole: () => void;
  /** Puts the customer as an edit answered it in place of the one read. */
  replaceCustomer: (customer: Customer, etag: string | null) => void;
}

export const useCustomerView = () => useOutletContext<CustomerView>();

/** Why nothing new can be made in the customer, or null when it is ACTIVE. */
export function notActiveReason(customer: Customer): string | null {
  switch (customer.status) {
    case 'ACTIVE':
      return null;
    case 'DISABLED':
      return `${customer.displayName} is disabled by its partner: nothing new can be made and its tenants cannot be opened until it is enabled again.`;
    case 'PENDING_APPROVAL':
      return `${customer.displayName} is being verified: its registration awaits the partner's approval. Until then it can be looked at, not changed.`;
    case 'AWAITING_EMAIL_CONFIRMATION':
      return `${customer.displayName} awaits the confirmation of the registrant's e-mail address (the link in the approval mail). Until then it can be looked at, not changed.`;
  }
}
