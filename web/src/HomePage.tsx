import { Navigate } from 'react-router-dom';
import { useUser } from './auth/AuthContext';
import { PendingMessagesFirst } from './member/routes';

/** `/`: pending messages first, then the admin area for admin-area roles, else the own customers. */
export function HomePage() {
  const user = useUser();
  return (
    <PendingMessagesFirst>
      <Navigate to={user?.adminRole ? '/admin/customers' : '/my'} replace />
    </PendingMessagesFirst>
  );
}
