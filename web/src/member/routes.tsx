// Placeholder slots of the customer view (helper A2 owns this file and replaces them).
import type { ReactNode } from 'react';
import { Route } from 'react-router-dom';

/** Routes inside the signed-in layout: /my, /my/customers/:id/... */
export const memberRoutes = (
  <>
    <Route path="my/*" element={<h1>My customers</h1>} />
  </>
);

/** Routes outside the layout that handle sign-in themselves (mail links, registration). */
export const publicRoutes = <></>;

/** The "at login" screen: pending messages are shown (and acknowledged) before `children`. */
export function PendingMessagesFirst({ children }: { children: ReactNode }) {
  return <>{children}</>;
}
