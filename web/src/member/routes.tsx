// Routes of the customer view, the pages behind mail links and registration (helper A2's part of
// the route table in App.tsx).
import { Navigate, Route } from 'react-router-dom';
import { AcceptInvitationPage } from '../links/AcceptInvitationPage';
import { ConfirmEmailPage } from '../links/ConfirmEmailPage';
import { RegisterPage } from '../links/RegisterPage';
import { AccountPage } from './AccountPage';
import { CustomerLayout, MyCustomersIndex } from './CustomerLayout';
import { ProjectPage } from './ProjectPage';
import { ProjectsPage } from './ProjectsPage';
import { ServiceUsersPage } from './ServiceUsersPage';
import { UsersPage } from './UsersPage';
import './member.css';

export { PendingMessagesFirst } from '../messages/PendingMessages';

/**
 * Routes inside the signed-in layout: /my, /my/customers/:id/..., /register, and the mail-link page
 * that needs a signed-in user (RequireSignIn around the layout keeps the link, token included, through
 * the sign-in redirect).
 */
export const memberRoutes = (
  <>
    <Route path="my" element={<MyCustomersIndex />} />
    <Route path="my/customers/:id" element={<CustomerLayout />}>
      <Route index element={<Navigate to="users" replace />} />
      <Route path="users" element={<UsersPage />} />
      <Route path="projects" element={<ProjectsPage />} />
      <Route path="projects/:projectId" element={<ProjectPage />} />
      <Route path="service-users" element={<ServiceUsersPage />} />
      <Route path="account" element={<AccountPage />} />
    </Route>
    <Route path="accept-invitation" element={<AcceptInvitationPage />} />
    <Route path="register" element={<RegisterPage />} />
  </>
);

/** Routes outside the layout that need no sign-in: the e-mail confirmation link. */
export const publicRoutes = (
  <>
    <Route path="/confirm-email" element={<ConfirmEmailPage />} />
  </>
);
