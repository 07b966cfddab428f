import { Route } from 'react-router-dom';

/** Routes under /admin (the admin-area roles only). */
export const adminRoutes = (
  <>
    <Route path="customers" element={<h1>Customers</h1>} />
  </>
);
