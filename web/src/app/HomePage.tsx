import { lazy } from 'react';
import { Navigate } from 'react-router-dom';
import { useUser } from '../auth/AuthContext';

const PendingMessagesFirst = lazy(() => import('../features/messages/PendingMessagesFirst'));

/** `/`: pending messages first, then the admin area for admin-area roles, else the own customers. */
export function HomePage() {
  const user = useUser();
  return (
    <PendingMessagesFirst>
      <Navigate to={user?.adminRole ? '/admin/customers' : '/my'} replace />
    </PendingMessagesFirst>
  );
}
