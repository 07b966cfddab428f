import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, body, type Schemas } from '../../api/client';
import { keys, PAGE_SIZE } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { ConfirmModal } from '../../shared/ConfirmModal';
import { CursorPagination } from '../../shared/CursorPagination';
import { useNotify } from '../../shared/notifications';
import { formProblem, noProblem, problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { useListParams } from '../../shared/useListParams';
import { displayNameProblem } from '../../shared/validation';
import { blockedReason, useCustomer } from '../../shared/customerContext';

type ServiceUser = Schemas['ServiceUser'];

/** Account > Service users (customer admins): the list, a new one with its secret shown once, delete. */
export function ServiceUsersPage() {
  const { customer, role } = useCustomer();
  useDocumentTitle(`Service users · ${customer.displayName}`);
  const api = useApi();
  const id = customer.identifier;
  const list = useListParams([], 'service-users');
  const [deleting, setDeleting] = useState<ServiceUser | null>(null);
  const serviceUsers = useQuery({
    queryKey: [...keys.customer(id), 'service-users', list.cursor ?? null],
    queryFn: () => body(api.GET('/customers/{id}/service-users', { params: { path: { id }, query: { limit: PAGE_SIZE, cursor: list.cursor } } })),
    placeholderData: keepPreviousData,
    enabled: role === 'CUSTOMER_ADMIN',
  });
  if (role !== 'CUSTOMER_ADMIN') return <Alert type="info">Service users are managed by the customer admins.</Alert>;
  return (
    <SpaceBetween size="l">
      <Table<ServiceUser>
        header={<Header description="Technical users for programs. Their secret is shown once, when they are created.">Service users</Header>}
        items={serviceUsers.data?.items ?? []}
        loading={serviceUsers.isPending}
        loadingText="Loading the service users"
        trackBy="serviceUserId"
        wrapLines
        stickyColumns={{ first: 0, last: 1 }}
        ariaLabels={{ tableLabel: `Service users of ${customer.displayName}` }}
        empty={serviceUsers.isError ? <Box color="text-status-error">{problemSentence(serviceUsers.error)}</Box> : <Box textAlign="center">No service users.</Box>}
        pagination={<CursorPagination list={list} nextCursor={serviceUsers.data?.nextCursor} />}
        columnDefinitions={[
          { id: 'name', header: 'Name', isRowHeader: true, cell: (s) => s.name },
          { id: 'created', header: 'Created', cell: (s) => <Time iso={s.createdAt} /> },
          { id: 'actions', header: 'Actions', cell: (s) => <Button iconName="remove" ariaLabel={`Delete ${s.name}`} onClick={() => setDeleting(s)}>Delete</Button> },
        ]}
      />
      <CreateServiceUserForm />
      {deleting ? <DeleteServiceUserModal serviceUser={deleting} onDismiss={() => setDeleting(null)} /> : null}
    </SpaceBetween>
  );
}

function CreateServiceUserForm() {
  const { customer } = useCustomer();
  const api = useApi();
  const queryClient = useQueryClient();
  const id = customer.identifier;
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [created, setCreated] = useState<Schemas['ServiceUserWithSecret'] | null>(null);
  const create = useMutation({
    mutationFn: () => answer(api.POST('/customers/{id}/service-users', { params: { path: { id } }, body: { name: name.trim() } })),
    onSuccess: ({ data }) => {
      setCreated(data);
      setName('');
      setTouched(false);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: [...keys.customer(id), 'service-users'] }),
  });
  const blocked = blockedReason(customer);
  const problem = create.isError ? formProblem(create.error, ['name']) : noProblem;
  const localError = touched ? displayNameProblem(name, 'a name') : null;

  if (created) {
    return (
      <section aria-label={`Secret of ${created.name}`}>
        <Alert
          type="success"
          header={`The service user ${created.name} was created`}
          action={<Button onClick={() => setCreated(null)}>I have stored the secret</Button>}
        >
          <SpaceBetween size="s">
            <Box variant="p"><b>This secret will not be shown again.</b> Store it now, e.g. in your secrets manager.</Box>
            <FormField label="Secret">
              <SpaceBetween direction="horizontal" size="xs" alignItems="center">
                <Input value={created.secret} readOnly />
                <CopyToClipboard variant="button" textToCopy={created.secret} copyButtonText="Copy secret" copySuccessText="Secret copied" copyErrorText="The secret could not be copied" />
              </SpaceBetween>
            </FormField>
          </SpaceBetween>
        </Alert>
      </section>
    );
  }
  return (
    <form aria-label="Create a service user" onSubmit={(e) => { e.preventDefault(); setTouched(true); if (!displayNameProblem(name)) create.mutate(); }}>
      <Form
        actions={<Button variant="primary" loading={create.isPending} disabled={Boolean(blocked)} disabledReason={blocked ?? undefined}>Create service user</Button>}
        errorText={problem.message}
      >
        <Container header={<Header variant="h2" description={blocked ?? undefined}>Create a service user</Header>}>
          <FormField label="Service user name" errorText={localError ?? problem.fields.name}>
            <Input value={name} onChange={({ detail }) => setName(detail.value)} disabled={Boolean(blocked)} />
          </FormField>
        </Container>
      </Form>
    </form>
  );
}

function DeleteServiceUserModal({ serviceUser, onDismiss }: { serviceUser: ServiceUser; onDismiss: () => void }) {
  const { customer } = useCustomer();
  const api = useApi();
  const notify = useNotify();
  const queryClient = useQueryClient();
  return (
    <ConfirmModal
      title={`Delete the service user ${serviceUser.name}?`}
      confirmLabel={`Delete ${serviceUser.name}`}
      onDismiss={onDismiss}
      onConfirm={async () => {
        await answer(api.DELETE('/customers/{id}/service-users/{serviceUserId}', { params: { path: { id: customer.identifier, serviceUserId: serviceUser.serviceUserId } } }));
        notify('success', `The service user ${serviceUser.name} was deleted.`);
        await queryClient.invalidateQueries({ queryKey: [...keys.customer(customer.identifier), 'service-users'] });
      }}
    >
      <Box variant="p">
        Programs using the secret of <b>{serviceUser.name}</b> can no longer call in the name of {customer.displayName}. This cannot be undone.
      </Box>
    </ConfirmModal>
  );
}
