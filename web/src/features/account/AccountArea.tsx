import type { ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { AccessReviewPage } from './AccessReviewPage';
import { CustomerLayout } from './CustomerLayout';
import { MyCustomersPage } from './MyCustomersPage';
import { ProjectPage } from './ProjectPage';
import { ProjectsPage } from './ProjectsPage';
import { ServiceUsersPage } from './ServiceUsersPage';
import { SettingsPage } from './SettingsPage';
import { UsersPage } from './UsersPage';

/** A page another feature adds to a customer's Account pages (`/my/customers/<id>/<path>`). */
export interface CustomerPage {
  path: string;
  element: ReactNode;
}

/**
 * The customer view (`/my/...`): a member's own customers and their Account pages. The app adds
 * the pages of other features (`customerPages`), which get the customer from `useCustomer()`.
 */
export default function AccountArea({ customerPages = [] }: { customerPages?: CustomerPage[] }) {
  return (
    <Routes>
      <Route index element={<MyCustomersPage />} />
      <Route path="customers/:id" element={<CustomerLayout />}>
        <Route index element={<Navigate to="users" replace />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="projects" element={<ProjectsPage />} />
        <Route path="projects/:projectId" element={<ProjectPage />} />
        <Route path="service-users" element={<ServiceUsersPage />} />
        <Route path="access-review" element={<AccessReviewPage />} />
        <Route path="account" element={<SettingsPage />} />
        {customerPages.map((page) => <Route key={page.path} path={page.path} element={page.element} />)}
      </Route>
    </Routes>
  );
}
