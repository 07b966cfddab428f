import { useQueryClient } from '@tanstack/react-query';
import { lazy, useEffect } from 'react';
import { Navigate } from 'react-router-dom';
import { customersQuery, myCustomersQuery, myMessagesQuery } from '../api/queries';
import { useApi, useUser } from '../auth/AuthContext';
import { loadAccountArea, loadCustomersArea, loadPendingMessagesFirst } from './areas';

const PendingMessagesFirst = lazy(loadPendingMessagesFirst);

/** `/`: pending messages first, then the admin area for admin-area roles, else the own customers. */
export function HomePage() {
  const user = useUser();
  const api = useApi();
  const queryClient = useQueryClient();
  const admin = Boolean(user?.adminRole);
  // Everything the next screen needs is asked for at once, beside the messages, not after them:
  // on a slow network each step waited for would cost a round trip or more (README "Performance").
  useEffect(() => {
    void queryClient.prefetchQuery(myMessagesQuery(api));
    if (admin) {
      void loadCustomersArea();
      void queryClient.prefetchQuery(customersQuery(api, { q: '', status: '' }));
    } else {
      void loadAccountArea();
      void queryClient.prefetchQuery(myCustomersQuery(api));
    }
  }, [admin, api, queryClient]);
  return (
    <PendingMessagesFirst>
      <Navigate to={admin ? '/admin/customers' : '/my'} replace />
    </PendingMessagesFirst>
  );
}
