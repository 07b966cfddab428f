import AppLayout from '@cloudscape-design/components/app-layout';
import Flashbar from '@cloudscape-design/components/flashbar';
import SideNavigation, { type SideNavigationProps } from '@cloudscape-design/components/side-navigation';
import TopNavigation from '@cloudscape-design/components/top-navigation';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Outlet, useLocation, useMatch, useNavigate } from 'react-router-dom';
import { myCustomersQuery } from '../api/queries';
import { useApi, useAppServices } from '../auth/AuthContext';
import { canManagePartnerApiKeys, canManageTagDefinitions } from '../auth/claims';
import { ROLE_LABEL } from '../shared/labels';
import { useNotifications } from '../shared/notifications';

/** Cloudscape shows the side navigation beside the content from this width on. */
const WIDE = '(min-width: 689px)';

/**
 * The console around every signed-in page: top navigation (product, the signed-in user, sign-out),
 * side navigation (Admin Area → Customers, Tag definitions, API keys; the current customer's Account pages),
 * and the notifications.
 */
export function AppShell() {
  const { user, signOut } = useAppServices();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const { items: notifications } = useNotifications();
  const [navigationOpen, setNavigationOpen] = useState(() => window.matchMedia?.(WIDE).matches ?? true);
  const navItems = useNavigationItems();

  // On a small screen the navigation covers the page: close it once the person has chosen, and
  // whenever the window narrows; open it again when the window is wide enough to show it beside.
  useEffect(() => {
    if (!window.matchMedia?.(WIDE).matches) setNavigationOpen(false);
  }, [pathname]);
  useEffect(() => {
    const wide = window.matchMedia?.(WIDE);
    if (!wide) return undefined;
    const follow = () => setNavigationOpen(wide.matches);
    wide.addEventListener('change', follow);
    return () => wide.removeEventListener('change', follow);
  }, []);

  const activeHref = navItems
    .flatMap((item) => (item.type === 'section' ? item.items : [item]))
    .map((item) => ('href' in item ? item.href : ''))
    .filter((href) => href && (pathname === href || pathname.startsWith(`${href}/`)))
    .sort((a, b) => b.length - a.length)[0];

  const who = user?.name ?? user?.email ?? user?.sub ?? '';
  return (
    <>
      <div id="top-nav" style={{ position: 'sticky', top: 0, zIndex: 1002 }}>
        <TopNavigation
          identity={{ href: '/', title: 'meshcustomers', onFollow: (e) => { e.preventDefault(); navigate('/'); } }}
          utilities={[
            {
              type: 'menu-dropdown',
              text: who,
              description: [user?.email, user?.adminRole ? ROLE_LABEL[user.adminRole] : null].filter(Boolean).join(' · '),
              iconName: 'user-profile',
              ariaLabel: `Signed in as ${who}`,
              items: [{ id: 'sign-out', text: 'Sign out', iconName: 'sign-out' }],
              onItemClick: ({ detail }) => {
                if (detail.id === 'sign-out') signOut();
              },
            },
          ]}
          i18nStrings={{ overflowMenuTriggerText: 'More', overflowMenuTitleText: 'All' }}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        navigation={
          <SideNavigation
            activeHref={activeHref}
            items={navItems}
            onFollow={(e) => {
              if (e.detail.external) return;
              e.preventDefault();
              navigate(e.detail.href);
            }}
          />
        }
        navigationOpen={navigationOpen}
        onNavigationChange={({ detail }) => setNavigationOpen(detail.open)}
        notifications={notifications.length > 0 ? <Flashbar items={notifications} /> : undefined}
        toolsHide
        content={<Outlet />}
        ariaLabels={{
          navigation: 'Side navigation',
          navigationClose: 'Close the side navigation',
          navigationToggle: 'Open the side navigation',
          notifications: 'Notifications',
        }}
      />
    </>
  );
}

function useNavigationItems(): SideNavigationProps.Item[] {
  const user = useAppServices().user;
  const api = useApi();
  const match = useMatch('/my/customers/:id/*');
  const customerId = match?.params.id;
  const mine = useQuery({ ...myCustomersQuery(api), enabled: Boolean(customerId) });
  const role = mine.data?.items.find((c) => c.customerId === customerId)?.role;

  const items: SideNavigationProps.Item[] = [];
  if (user?.adminRole) {
    items.push({
      type: 'section',
      text: 'Admin Area',
      items: [
        { type: 'link', text: 'Customers', href: '/admin/customers' },
        ...(canManageTagDefinitions(user) ? [{ type: 'link' as const, text: 'Tag definitions', href: '/admin/tag-definitions' }] : []),
        ...(canManagePartnerApiKeys(user) ? [{ type: 'link' as const, text: 'API keys', href: '/admin/api-keys' }] : []),
      ],
    });
  }
  const account: SideNavigationProps.Item[] = customerId
    ? [
        { type: 'link', text: 'Users', href: `/my/customers/${customerId}/users` },
        { type: 'link', text: 'Projects', href: `/my/customers/${customerId}/projects` },
        ...(role === 'CUSTOMER_ADMIN'
          ? [
              { type: 'link' as const, text: 'Service users', href: `/my/customers/${customerId}/service-users` },
              { type: 'link' as const, text: 'API keys', href: `/my/customers/${customerId}/api-keys` },
              { type: 'link' as const, text: 'Access review', href: `/my/customers/${customerId}/access-review` },
            ]
          : []),
        { type: 'link', text: 'Account settings', href: `/my/customers/${customerId}/account` },
      ]
    : [];
  items.push({
    type: 'section',
    text: customerId ? `Account (${customerId})` : 'Account',
    items: [{ type: 'link', text: 'My customers', href: '/my' }, ...account, { type: 'link', text: 'Register a customer', href: '/register' }],
  });
  return items;
}
