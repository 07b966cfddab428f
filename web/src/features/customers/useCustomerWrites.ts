// The writes on a customer as a whole (status, approval, rejection, quota, tags), each
// invalidating what it changes: the customer with everything under it, and the lists showing it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { answer, etagOf, type Schemas } from '../../api/client';
import { keys } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';

type Customer = Schemas['Customer'];

export function useInvalidateCustomer() {
  const queryClient = useQueryClient();
  return (id: string) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: keys.customer(id) }),
      queryClient.invalidateQueries({ queryKey: keys.customers }),
      queryClient.invalidateQueries({ queryKey: keys.myCustomers }),
    ]);
}

export function useStatusWrites() {
  const api = useApi();
  const queryClient = useQueryClient();
  const invalidate = useInvalidateCustomer();
  const path = (customer: Customer) => ({ path: { id: customer.identifier } });
  const ifMatch = (customer: Customer) => ({ 'If-Match': etagOf(customer.version) });

  const approve = useMutation({
    mutationFn: (customer: Customer) =>
      answer(api.POST('/customers/{id}/approval', { params: { ...path(customer), header: ifMatch(customer) } })),
    onSettled: (_data, _error, customer) => invalidate(customer.identifier),
  });
  const reject = useMutation({
    mutationFn: ({ customer, reason }: { customer: Customer; reason: string }) =>
      answer(api.POST('/customers/{id}/rejection', { params: path(customer), body: { reason } })),
    onSettled: (_data, _error, { customer }) => {
      // The customer is gone: forget it rather than read it again (a 404).
      queryClient.removeQueries({ queryKey: keys.customer(customer.identifier) });
      return queryClient.invalidateQueries({ queryKey: keys.customers });
    },
  });
  const changeStatus = useMutation({
    mutationFn: ({ customer, status, reason }: { customer: Customer; status: 'ACTIVE' | 'DISABLED'; reason: string | null }) =>
      answer(api.PUT('/customers/{id}/status', { params: { ...path(customer), header: ifMatch(customer) }, body: { status, reason } })),
    onSettled: (_data, _error, { customer }) => invalidate(customer.identifier),
  });
  return { approve, reject, changeStatus };
}
