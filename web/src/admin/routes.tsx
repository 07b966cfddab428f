import { Route } from 'react-router-dom';
import { CreateCustomerPage } from './CreateCustomerPage';
import { CustomerOverview, CustomerPage } from './CustomerPage';
import { CustomersPage } from './CustomersPage';
import { HistorySection } from './HistorySection';
import { MessagesSection } from './MessagesSection';
import { QuotaSection } from './QuotaSection';
import { StatusSection } from './StatusSection';
import { TagDefinitionsPage } from './TagDefinitionsPage';
import { TagsSection } from './TagsSection';
import { UsersSection } from './UsersSection';

/** Routes under /admin (the admin-area roles only). */
export const adminRoutes = (
  <>
    <Route path="customers" element={<CustomersPage />} />
    <Route path="customers/new" element={<CreateCustomerPage />} />
    <Route path="customers/:id" element={<CustomerPage />}>
      <Route index element={<CustomerOverview />} />
      <Route path="users" element={<UsersSection />} />
      <Route path="messages" element={<MessagesSection />} />
      <Route path="quota" element={<QuotaSection />} />
      <Route path="tags" element={<TagsSection />} />
      <Route path="history" element={<HistorySection />} />
      <Route path="status" element={<StatusSection />} />
    </Route>
    <Route path="tag-definitions" element={<TagDefinitionsPage />} />
  </>
);
