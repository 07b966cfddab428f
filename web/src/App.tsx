import { Navigate, Outlet, Route, Routes } from 'react-router-dom';
import { RequireSignIn } from './auth/RequireSignIn';
import { CallbackPage, SignedOutPage } from './auth/CallbackPage';
import { useUser } from './auth/AuthContext';
import { Layout, NotFoundPage } from './ui/Layout';
import { HomePage } from './HomePage';
import { memberRoutes, publicRoutes } from './member/routes';
import { adminRoutes } from './admin/routes';

/** The admin area is for admin-area roles; the API decides in the end, this only avoids a dead end. */
function RequireAdminArea() {
  const user = useUser();
  if (!user?.adminRole) {
    return (
      <>
        <h1>Admin Area</h1>
        <p>Your account has no role in the administration area. <a href="/my">Go to my customers</a>.</p>
      </>
    );
  }
  return <Outlet />;
}

export function App() {
  return (
    <Routes>
      <Route path="/auth/callback" element={<CallbackPage />} />
      <Route path="/signed-out" element={<SignedOutPage />} />
      {publicRoutes}
      <Route element={<RequireSignIn><Layout /></RequireSignIn>}>
        <Route index element={<HomePage />} />
        <Route path="admin" element={<RequireAdminArea />}>
          <Route index element={<Navigate to="customers" replace />} />
          {adminRoutes}
        </Route>
        {memberRoutes}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
