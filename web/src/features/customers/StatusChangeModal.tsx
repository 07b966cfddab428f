import Box from '@cloudscape-design/components/box';
import type { Schemas } from '../../api/client';
import { ConfirmModal } from '../../shared/ConfirmModal';
import { useNotify } from '../../shared/notifications';
import type { StatusChange } from './statusChanges';
import { useStatusWrites } from './useCustomerWrites';

type Customer = Schemas['Customer'];

/** Approve, reject, disable or enable a customer, after a modal that says what will happen. */
export default function StatusChangeModal({ customer, change, onDismiss, onDone }: { customer: Customer; change: StatusChange; onDismiss: () => void; onDone?: () => void }) {
  const { approve, reject, changeStatus } = useStatusWrites();
  const notify = useNotify();
  const name = `${customer.displayName} (${customer.identifier})`;
  const done = (message: string) => {
    notify('success', message);
    onDone?.();
  };

  switch (change) {
    case 'approve':
      return (
        <ConfirmModal
          title={`Approve ${customer.identifier}?`}
          confirmLabel={`Approve ${customer.identifier}`}
          onDismiss={onDismiss}
          onConfirm={async () => {
            await approve.mutateAsync(customer);
            done(`${name} was approved. Its registrant is told by e-mail.`);
          }}
        >
          <Box variant="p">
            The registration of <b>{name}</b> is approved: the registrant gets an e-mail that the account can be used
            (with an e-mail confirmation link first, when the installation asks for one).
          </Box>
        </ConfirmModal>
      );
    case 'reject':
      return (
        <ConfirmModal
          title={`Reject ${customer.identifier}?`}
          confirmLabel={`Reject ${customer.identifier}`}
          reason={{ label: 'Reason', required: true, hint: 'Sent to the registrant. 1 to 500 characters, one line.' }}
          onDismiss={onDismiss}
          onConfirm={async (reason) => {
            await reject.mutateAsync({ customer, reason: reason ?? '' });
            done(`The registration of ${name} was rejected. The identifier ${customer.identifier} is free again.`);
          }}
        >
          <Box variant="p">The registration of <b>{name}</b> is declined. This cannot be undone:</Box>
          <ul>
            <li>the customer is deleted, and its identifier <b>{customer.identifier}</b> is free again;</li>
            <li>the registrant is told by e-mail, with the reason below.</li>
          </ul>
        </ConfirmModal>
      );
    case 'disable':
      return (
        <ConfirmModal
          title={`Disable ${customer.identifier}?`}
          confirmLabel={`Disable ${customer.identifier}`}
          reason={{ label: 'Reason', required: true, hint: 'Recorded in the history, e.g. "unpaid invoice". 1 to 500 characters, one line.' }}
          onDismiss={onDismiss}
          onConfirm={async (reason) => {
            await changeStatus.mutateAsync({ customer, status: 'DISABLED', reason });
            done(`${name} is now disabled.`);
          }}
        >
          <Box variant="p">Disabling <b>{name}</b> has these effects on its projects and tenants:</Box>
          <ul>
            <li>its users can no longer access tenants through the portal;</li>
            <li>its users can no longer create service users.</li>
          </ul>
          <Box variant="p">
            Everything stored stays. Users who sign in to a cloud platform directly keep their access there: to end
            it, add yourself as a customer admin and remove their permissions and service users. To stop new
            projects, lower the project quota instead.
          </Box>
        </ConfirmModal>
      );
    case 'enable':
      return (
        <ConfirmModal
          title={`Enable ${customer.identifier}?`}
          confirmLabel={`Enable ${customer.identifier}`}
          reason={{ label: 'Reason', required: false }}
          onDismiss={onDismiss}
          onConfirm={async (reason) => {
            await changeStatus.mutateAsync({ customer, status: 'ACTIVE', reason });
            done(`${name} is now active.`);
          }}
        >
          <Box variant="p">
            <b>{name}</b> becomes active again: its users can open their tenants through the portal and create service
            users again.
          </Box>
        </ConfirmModal>
      );
  }
}
