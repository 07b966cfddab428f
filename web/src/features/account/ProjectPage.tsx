import Alert from '@cloudscape-design/components/alert';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { answer, body, type Schemas } from '../../api/client';
import { keys } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { useNotify } from '../../shared/notifications';
import { problemSentence } from '../../shared/problems';
import { QueryState } from '../../shared/QueryState';
import { Time } from '../../shared/time';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { blockedReason, useCustomer } from '../../shared/customerContext';

/** A project with its tenants: open a tenant's console through the portal; add a tenant per platform. */
export function ProjectPage() {
  const { customer, role } = useCustomer();
  const { projectId = '' } = useParams();
  const api = useApi();
  const navigate = useNavigate();
  const id = customer.identifier;
  const project = useQuery({
    queryKey: [...keys.customer(id), 'projects', 'item', projectId],
    queryFn: () => body(api.GET('/customers/{id}/projects/{projectId}', { params: { path: { id, projectId } } })),
  });
  const platforms = useQuery({ queryKey: keys.platforms, queryFn: () => body(api.GET('/platforms')), staleTime: 5 * 60_000 });
  useDocumentTitle(`${project.data?.displayName ?? projectId} · ${customer.displayName}`);
  const [links, setLinks] = useState<Record<string, string>>({});
  const blocked = blockedReason(customer);
  const platformName = (platform: string) => platforms.data?.items.find((p) => p.id === platform)?.displayName ?? platform;
  const access = useMutation({
    mutationFn: (tenant: Schemas['Tenant']) =>
      answer(api.POST('/customers/{id}/projects/{projectId}/tenants/{tenantId}/access', { params: { path: { id, projectId, tenantId: tenant.tenantId } } })),
    onSuccess: ({ data }, tenant) => setLinks((l) => ({ ...l, [tenant.tenantId]: data.url })),
  });

  return (
    <SpaceBetween size="l">
      <BreadcrumbGroup
        ariaLabel="Breadcrumbs"
        items={[{ text: 'Projects', href: `/my/customers/${id}/projects` }, { text: project.data?.displayName ?? projectId, href: `/my/customers/${id}/projects/${projectId}` }]}
        onFollow={(e) => { e.preventDefault(); navigate(e.detail.href); }}
      />
      <QueryState query={project} label="The project">
        {(p) => (
          <SpaceBetween size="l">
            <Table<Schemas['Tenant']>
              header={<Header variant="h2" description={`Project ${p.identifier}`}>{p.displayName}</Header>}
              items={p.tenants}
              trackBy="tenantId"
              wrapLines
              ariaLabels={{ tableLabel: 'Tenants of the project' }}
              empty={<Box textAlign="center">No tenants yet.</Box>}
              columnDefinitions={[
                { id: 'platform', header: 'Platform', isRowHeader: true, cell: (t) => platformName(t.platform) },
                { id: 'created', header: 'Created', cell: (t) => <Time iso={t.createdAt} /> },
                {
                  id: 'access',
                  header: 'Access',
                  cell: (t) =>
                    links[t.tenantId] ? (
                      <Link href={links[t.tenantId]!} external>{`Go to the ${platformName(t.platform)} console`}</Link>
                    ) : (
                      <Button
                        onClick={() => access.mutate(t)}
                        loading={access.isPending && access.variables?.tenantId === t.tenantId}
                        disabled={Boolean(blocked)}
                        disabledReason={blocked ? `Tenant access is closed: ${blocked}` : undefined}
                      >
                        {`Open ${platformName(t.platform)} tenant`}
                      </Button>
                    ),
                },
              ]}
            />
            {access.isError ? <Alert type="error">{problemSentence(access.error)}</Alert> : null}
            {blocked ? <div id="tenant-access-blocked"><Alert type="warning">Tenant access is closed. {blocked}</Alert></div> : null}
            {role === 'CUSTOMER_ADMIN' ? (
              <CreateTenantForm
                project={p}
                platforms={(platforms.data?.items ?? []).filter((pl) => !p.tenants.some((t) => t.platform === pl.id))}
                loading={platforms.isPending}
                blocked={blocked ?? (platforms.isError ? `The platforms could not be read. ${problemSentence(platforms.error)}` : null)}
              />
            ) : null}
          </SpaceBetween>
        )}
      </QueryState>
    </SpaceBetween>
  );
}

function CreateTenantForm({ project, platforms, loading, blocked }: { project: Schemas['ProjectWithTenants']; platforms: { id: string; displayName: string }[]; loading: boolean; blocked: string | null }) {
  const api = useApi();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [platform, setPlatform] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (chosen: string) =>
      answer(api.POST('/customers/{id}/projects/{projectId}/tenants', { params: { path: { id: project.customerId, projectId: project.identifier } }, body: { platform: chosen } })),
    onSuccess: () => {
      notify('success', 'The tenant was created.');
      setPlatform(null);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: [...keys.customer(project.customerId), 'projects'] }),
  });
  const chosen = platforms.find((p) => p.id === platform);
  const reason = blocked ?? (!loading && platforms.length === 0 ? 'The project has a tenant on every platform offered.' : null);
  return (
    <form aria-label="Create a tenant" onSubmit={(e) => { e.preventDefault(); if (platform) create.mutate(platform); }}>
      <Form
        actions={<Button variant="primary" loading={create.isPending} disabled={!platform || Boolean(reason)}>Create tenant</Button>}
        errorText={create.isError ? problemSentence(create.error) : null}
      >
        <Container header={<Header variant="h2" description={reason ?? 'One tenant per platform.'}>Create a tenant</Header>}>
          <FormField label="Platform">
            <Select
              selectedOption={chosen ? { value: chosen.id, label: chosen.displayName } : null}
              options={platforms.map((p) => ({ value: p.id, label: p.displayName }))}
              placeholder="Choose a platform"
              statusType={loading ? 'loading' : 'finished'}
              loadingText="Loading the platforms"
              disabled={Boolean(reason)}
              onChange={({ detail }) => setPlatform(detail.selectedOption.value ?? null)}
            />
          </FormField>
        </Container>
      </Form>
    </form>
  );
}
