import { lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { CustomersPage } from './CustomersPage';

// The list is the admin area's first screen; a customer's pages and the creation form load when opened.
const CreateCustomerPage = lazy(() => import('./CreateCustomerPage'));
const CustomerPage = lazy(() => import('./CustomerPage'));

/** Admin Area → Customers: `/admin/customers`, `/new`, `/:id/:section`. */
export default function CustomersArea() {
  return (
    <Routes>
      <Route index element={<CustomersPage />} />
      <Route path="new" element={<CreateCustomerPage />} />
      <Route path=":id" element={<Navigate to="users" replace />} />
      <Route path=":id/:section" element={<CustomerPage />} />
    </Routes>
  );
}
