import { Navigate, Route, Routes } from 'react-router-dom';
import { CustomerLayout } from './CustomerLayout';
import { MyCustomersPage } from './MyCustomersPage';
import { ProjectPage } from './ProjectPage';
import { ProjectsPage } from './ProjectsPage';
import { ServiceUsersPage } from './ServiceUsersPage';
import { SettingsPage } from './SettingsPage';
import { UsersPage } from './UsersPage';

/** The customer view (`/my/...`): a member's own customers and their Account pages. */
export default function AccountArea() {
  return (
    <Routes>
      <Route index element={<MyCustomersPage />} />
      <Route path="customers/:id" element={<CustomerLayout />}>
        <Route index element={<Navigate to="users" replace />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="projects" element={<ProjectsPage />} />
        <Route path="projects/:projectId" element={<ProjectPage />} />
        <Route path="service-users" element={<ServiceUsersPage />} />
        <Route path="account" element={<SettingsPage />} />
      </Route>
    </Routes>
  );
}
