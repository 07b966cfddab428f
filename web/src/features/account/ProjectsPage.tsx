import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer, body, type Schemas } from '../../api/client';
import { keys, PAGE_SIZE } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { CursorPagination } from '../../shared/CursorPagination';
import { quotaText } from '../../shared/labels';
import { useFollow } from '../../shared/navigation';
import { useNotify } from '../../shared/notifications';
import { formProblem, noProblem, problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { useListParams } from '../../shared/useListParams';
import { displayNameProblem, identifierProblem } from '../../shared/validation';
import { blockedReason, useCustomer } from '../../shared/customerContext';

/** Account > Projects: the projects, and a new one while the quota allows (customer admins). */
export function ProjectsPage() {
  const { customer, role } = useCustomer();
  useDocumentTitle(`Projects · ${customer.displayName}`);
  const api = useApi();
  const follow = useFollow();
  const id = customer.identifier;
  const list = useListParams([], 'projects');
  const projects = useQuery({
    queryKey: [...keys.customer(id), 'projects', list.cursor ?? null],
    queryFn: () => body(api.GET('/customers/{id}/projects', { params: { path: { id }, query: { limit: PAGE_SIZE, cursor: list.cursor } } })),
    placeholderData: keepPreviousData,
  });
  return (
    <SpaceBetween size="l">
      <Table<Schemas['Project']>
        header={<Header counter={`(${quotaText(customer.projectCount, customer.projectQuota)})`}>Projects</Header>}
        items={projects.data?.items ?? []}
        loading={projects.isPending}
        loadingText="Loading the projects"
        trackBy="identifier"
        wrapLines
        ariaLabels={{ tableLabel: `Projects of ${customer.displayName}` }}
        empty={projects.isError ? <Box color="text-status-error">{problemSentence(projects.error)}</Box> : <Box textAlign="center">No projects yet.</Box>}
        pagination={<CursorPagination list={list} nextCursor={projects.data?.nextCursor} />}
        columnDefinitions={[
          { id: 'name', header: 'Project', isRowHeader: true, cell: (p) => <Link href={`/my/customers/${id}/projects/${p.identifier}`} onFollow={follow}>{p.displayName}</Link> },
          { id: 'identifier', header: 'Identifier', cell: (p) => p.identifier },
          { id: 'created', header: 'Created', cell: (p) => <Time iso={p.createdAt} /> },
        ]}
      />
      {role === 'CUSTOMER_ADMIN' ? <CreateProjectForm /> : null}
    </SpaceBetween>
  );
}

function CreateProjectForm() {
  const { customer } = useCustomer();
  const api = useApi();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [identifier, setIdentifier] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const id = customer.identifier;
  const create = useMutation({
    mutationFn: () => answer(api.POST('/customers/{id}/projects', { params: { path: { id } }, body: { identifier, displayName: displayName.trim() } })),
    onSuccess: ({ data }) => {
      notify('success', `The project ${data.displayName} was created.`);
      setIdentifier('');
      setDisplayName('');
      setSubmitted(false);
    },
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: keys.customer(id) }), queryClient.invalidateQueries({ queryKey: keys.myCustomers })]),
  });
  const full = customer.projectCount >= customer.projectQuota;
  const reason = blockedReason(customer) ?? (full ? `The project quota is reached (${quotaText(customer.projectCount, customer.projectQuota)}). Ask your partner to raise it.` : null);
  const problem = create.isError ? formProblem(create.error, ['identifier', 'displayName'], { 'project-identifier-taken': 'identifier' }) : noProblem;
  const errorOf = (f: 'identifier' | 'displayName') =>
    (submitted || (f === 'identifier' && identifier) ? (f === 'identifier' ? identifierProblem(identifier) : displayNameProblem(displayName, 'a project name')) : null) ?? problem.fields[f] ?? null;

  return (
    <form aria-label="Create a project" onSubmit={(e) => { e.preventDefault(); setSubmitted(true); if (!identifierProblem(identifier) && !displayNameProblem(displayName)) create.mutate(); }}>
      <Form
        actions={<Button variant="primary" loading={create.isPending} disabled={Boolean(reason)} disabledReason={reason ?? undefined}>Create project</Button>}
        errorText={problem.message}
      >
        <Container header={<Header variant="h2" description={reason ?? undefined}>Create a project</Header>}>
          <SpaceBetween size="m">
            <FormField label="Project identifier" constraintText="Lowercase letters, digits and hyphens; it cannot be changed later." errorText={errorOf('identifier')}>
              <Input value={identifier} onChange={({ detail }) => setIdentifier(detail.value)} disabled={Boolean(reason)} />
            </FormField>
            <FormField label="Project name" errorText={errorOf('displayName')}>
              <Input value={displayName} onChange={({ detail }) => setDisplayName(detail.value)} disabled={Boolean(reason)} />
            </FormField>
          </SpaceBetween>
        </Container>
      </Form>
    </form>
  );
}
