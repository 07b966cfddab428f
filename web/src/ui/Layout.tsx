import { NavLink, Outlet } from 'react-router-dom';
import { useAppServices } from '../auth/AuthContext';
import { canManageTagDefinitions } from '../auth/claims';

export function Layout() {
  const { user, signOut } = useAppServices();
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <span className="brand">meshcustomers</span>
        <nav aria-label="Main">
          <ul>
            {user?.adminRole ? (
              <li><NavLink to="/admin/customers">Admin Area</NavLink></li>
            ) : null}
            {canManageTagDefinitions(user) ? (
              <li><NavLink to="/admin/tag-definitions">Tag definitions</NavLink></li>
            ) : null}
            <li><NavLink to="/my">My customers</NavLink></li>
          </ul>
        </nav>
        <div className="signed-in">
          <span>Signed in as <strong>{user?.email ?? user?.sub}</strong></span>
          <button type="button" onClick={signOut}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

export function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>There is no page at this address. <a href="/">Go to the start page</a>.</p>
    </>
  );
}
