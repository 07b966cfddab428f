import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router-dom';
import { useAppServices } from '../auth/AuthContext';
import { canManageTagDefinitions } from '../auth/claims';

export function Layout() {
  const { user, signOut } = useAppServices();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstPath = useRef(pathname);
  // After a client-side navigation, keyboard and screen-reader users start at the new content.
  useEffect(() => {
    if (pathname !== firstPath.current) main.current?.focus();
  }, [pathname]);
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
      <main id="main" tabIndex={-1} ref={main}>
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
