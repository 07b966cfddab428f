// The customer a page of the customer view is about: CustomerLayout (features/account) hands it to
// the pages under it, its own and those other features mount there (API keys).
import { useOutletContext } from 'react-router-dom';
import type { Schemas } from '../api/client';

export interface CustomerContext {
  customer: Schemas['Customer'];
  /** For If-Match on the customer's own writes. */
  etag: string;
  /** The caller's role in this customer. */
  role: Schemas['CustomerRole'];
}

export const useCustomer = () => useOutletContext<CustomerContext>();

/** Why a write is not possible in this customer now, or null. */
export function blockedReason(customer: Schemas['Customer']): string | null {
  switch (customer.status) {
    case 'ACTIVE': return null;
    case 'DISABLED': return `${customer.displayName} is disabled by its partner: its tenants cannot be opened and no service users can be created.`;
    case 'PENDING_APPROVAL': return `${customer.displayName} awaits the approval of its registration: it can be looked at, not changed.`;
    case 'AWAITING_EMAIL_CONFIRMATION': return `${customer.displayName} awaits the confirmation of its registrant's e-mail address: it can be looked at, not changed.`;
  }
}
