import { lazy, Suspense } from 'react';
import { Navigate, Outlet, Route, Routes } from 'react-router-dom';
import { CallbackPage, SignedOutPage } from '../auth/CallbackPage';
import { RequireSignIn } from '../auth/RequireSignIn';
import { useUser } from '../auth/AuthContext';
import { Loading } from '../shared/Loading';
import { NotificationsProvider } from '../shared/notifications';
import { AppShell } from './AppShell';
import {
  loadAccountArea, loadCustomerApiKeysPage, loadCustomersArea, loadLinkPages, loadPartnerApiKeysPage, loadTagDefinitionsPage,
} from './areas';
import { HomePage } from './HomePage';
import { NoAdminRole, NotFoundPage } from './NotFoundPage';

const CustomersArea = lazy(loadCustomersArea);
const TagDefinitionsPage = lazy(loadTagDefinitionsPage);
const AccountArea = lazy(loadAccountArea);
const LinkPages = lazy(loadLinkPages);
const PartnerApiKeysPage = lazy(loadPartnerApiKeysPage);
const CustomerApiKeysPage = lazy(loadCustomerApiKeysPage);

/** Pages of other features inside a customer's Account pages (they read the customer from its layout). */
const CUSTOMER_PAGES = [{ path: 'api-keys', element: <CustomerApiKeysPage /> }];

/** The admin area is for admin-area roles; the API decides in the end, this only avoids a dead end. */
function RequireAdminArea() {
  const user = useUser();
  return user?.adminRole ? <Outlet /> : <NoAdminRole />;
}

export function App() {
  return (
    <Suspense fallback={<Loading label="Loading…" />}>
      <Routes>
        <Route path="/auth/callback" element={<CallbackPage />} />
        <Route path="/signed-out" element={<SignedOutPage />} />
        {/* The e-mail confirmation link needs no sign-in: the token is the proof. */}
        <Route path="/confirm-email" element={<LinkPages page="confirm-email" />} />
        <Route element={<RequireSignIn><NotificationsProvider><AppShell /></NotificationsProvider></RequireSignIn>}>
          <Route index element={<HomePage />} />
          <Route path="admin" element={<RequireAdminArea />}>
            <Route index element={<Navigate to="customers" replace />} />
            <Route path="customers/*" element={<CustomersArea />} />
            <Route path="tag-definitions" element={<TagDefinitionsPage />} />
            <Route path="api-keys" element={<PartnerApiKeysPage />} />
          </Route>
          <Route path="my/*" element={<AccountArea customerPages={CUSTOMER_PAGES} />} />
          <Route path="register" element={<LinkPages page="register" />} />
          <Route path="accept-invitation" element={<LinkPages page="accept-invitation" />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
