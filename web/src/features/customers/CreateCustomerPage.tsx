import Alert from '@cloudscape-design/components/alert';
import AttributeEditor from '@cloudscape-design/components/attribute-editor';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { answer, type Schemas } from '../../api/client';
import { keys, tagDefinitionsQuery } from '../../api/queries';
import { useApi, useUser } from '../../auth/AuthContext';
import { CUSTOMER_ROLES, ROLE_LABEL, type CustomerRole } from '../../shared/labels';
import { useNotify } from '../../shared/notifications';
import { formProblem, noProblem } from '../../shared/problems';
import { QueryState } from '../../shared/QueryState';
import { TagValueInput } from '../../shared/tags/TagValueInput';
import { tagValueProblem, type TagValues } from '../../shared/tags/tagValues';
import { EndField } from '../../shared/membershipEnd/EndField';
import { END_OF_DAY, endProblem, expiresAtOf, type EndInput } from '../../shared/membershipEnd/end';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { displayNameProblem, emailProblem, identifierProblem } from '../../shared/validation';

const IDENTIFIER_RULE = 'Use 1 to 32 lowercase letters, digits or hyphens, starting and ending with a letter or digit.';

interface InvitedUser {
  email: string;
  role: CustomerRole;
  /** When the membership the invitation makes ends (no end unless chosen). */
  end: EndInput;
}

const NO_END: EndInput = { ends: false, date: '', time: END_OF_DAY };

/** "+ Create Customer": name, identifier (for good), quota, the users to invite, the tags. */
export default function CreateCustomerPage() {
  useDocumentTitle('Create Customer');
  const api = useApi();
  const user = useUser();
  const navigate = useNavigate();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const definitions = useQuery(tagDefinitionsQuery(api));
  const isPlatformAdmin = user?.adminRole === 'PLATFORM_ADMIN';
  const [displayName, setDisplayName] = useState('');
  const [identifier, setIdentifier] = useState('');
  const [quota, setQuota] = useState('');
  const [partnerId, setPartnerId] = useState('');
  const [users, setUsers] = useState<InvitedUser[]>([]);
  const [tags, setTags] = useState<TagValues>({});
  const [submitted, setSubmitted] = useState(false);

  const create = useMutation({
    mutationFn: (request: Schemas['CreateCustomerRequest']) => answer(api.POST('/customers', { body: request })),
    onSuccess: ({ data }) => {
      void queryClient.invalidateQueries({ queryKey: keys.customers });
      notify('success', `Customer ${data.displayName} (${data.identifier}) was created.`);
      navigate(`/admin/customers/${data.identifier}/users`);
    },
  });

  const fields = ['identifier', 'displayName', 'projectQuota', 'partnerId', 'tags.*', ...users.flatMap((_, i) => [`users[${i}].email`, `users[${i}].role`, `users[${i}].membershipExpiresAt`])];
  const problem = create.isError ? formProblem(create.error, fields, { 'identifier-taken': 'identifier' }) : noProblem;
  const local: Record<string, string | null> = {
    displayName: submitted ? displayNameProblem(displayName) : null,
    identifier: identifier || submitted ? identifierProblem(identifier) : null,
    projectQuota: quota.trim() && !/^\d+$/.test(quota.trim()) ? 'Enter a whole number from 0 to 10000, or leave it empty.' : null,
  };
  users.forEach((u, i) => {
    local[`users[${i}].email`] = submitted ? emailProblem(u.email) : null;
    local[`users[${i}].membershipExpiresAt`] = submitted ? endProblem(u.end) : null;
  });
  for (const d of definitions.data?.items ?? []) local[`tags.${d.key}`] = submitted ? tagValueProblem(d, tags[d.key] ?? []) : null;
  const errorOf = (field: string) => local[field] ?? problem.fields[field] ?? null;

  const submit = () => {
    setSubmitted(true);
    const anyLocal = [
      displayNameProblem(displayName), identifierProblem(identifier), local.projectQuota,
      ...users.map((u) => emailProblem(u.email)),
      ...users.map((u) => endProblem(u.end)),
      ...(definitions.data?.items ?? []).map((d) => tagValueProblem(d, tags[d.key] ?? [])),
    ].some(Boolean);
    if (anyLocal) return;
    const chosenTags = Object.fromEntries(Object.entries(tags).filter(([, v]) => v.length > 0));
    create.mutate({
      identifier,
      displayName: displayName.trim(),
      projectQuota: quota.trim() ? Number(quota) : null,
      users: users.length > 0 ? users.map((u) => {
        const membershipExpiresAt = expiresAtOf(u.end);
        return { email: u.email.trim(), role: u.role, ...(membershipExpiresAt ? { membershipExpiresAt } : {}) };
      }) : null,
      tags: Object.keys(chosenTags).length > 0 ? chosenTags : null,
      partnerId: isPlatformAdmin && partnerId.trim() ? partnerId.trim() : null,
    });
  };

  return (
    <ContentLayout
      breadcrumbs={
        <BreadcrumbGroup
          ariaLabel="Breadcrumbs"
          items={[{ text: 'Customers', href: '/admin/customers' }, { text: 'Create Customer', href: '/admin/customers/new' }]}
          onFollow={(e) => { e.preventDefault(); navigate(e.detail.href); }}
        />
      }
      header={<Header variant="h1" description="The customer starts active; the users listed are invited by e-mail.">Create Customer</Header>}
    >
      <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Form
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button formAction="none" variant="link" onClick={() => navigate('/admin/customers')}>Cancel</Button>
              <Button variant="primary" loading={create.isPending}>Create Customer</Button>
            </SpaceBetween>
          }
          errorText={problem.message}
        >
          <SpaceBetween size="l">
            <Container header={<Header variant="h2">Customer</Header>}>
              <SpaceBetween size="m">
                <FormField label="Name" errorText={errorOf('displayName')}>
                  <Input value={displayName} onChange={({ detail }) => setDisplayName(detail.value)} />
                </FormField>
                <FormField
                  label="Identifier"
                  description="Attention: the identifier cannot be changed later. Please choose it carefully."
                  constraintText={IDENTIFIER_RULE}
                  errorText={errorOf('identifier')}
                >
                  <Input value={identifier} onChange={({ detail }) => setIdentifier(detail.value)} autoComplete={false} />
                </FormField>
                <FormField label="Project quota (optional)" description="Leave empty for the installation's default." errorText={errorOf('projectQuota')}>
                  <Input type="number" inputMode="numeric" value={quota} onChange={({ detail }) => setQuota(detail.value)} />
                </FormField>
                {isPlatformAdmin ? (
                  <FormField label="Partner (optional)" description="The managing partner's id. Leave empty for your own or the default partner." errorText={errorOf('partnerId')}>
                    <Input value={partnerId} onChange={({ detail }) => setPartnerId(detail.value)} autoComplete={false} />
                  </FormField>
                ) : null}
              </SpaceBetween>
            </Container>
            <Container header={<Header variant="h2" description="Each gets an e-mail with a link to join the customer.">Users</Header>}>
              <AttributeEditor<InvitedUser>
                items={users}
                addButtonText="Add user"
                removeButtonText="Remove"
                removeButtonAriaLabel={(item) => `Remove user ${users.indexOf(item) + 1}`}
                empty="Nobody is invited yet."
                onAddButtonClick={() => setUsers((u) => [...u, { email: '', role: 'CUSTOMER_ADMIN', end: NO_END }])}
                onRemoveButtonClick={({ detail }) => setUsers((u) => u.filter((_, i) => i !== detail.itemIndex))}
                definition={[
                  {
                    label: 'E-mail',
                    errorText: (item) => errorOf(`users[${users.indexOf(item)}].email`),
                    control: (item, i) => (
                      <Input
                        value={item.email}
                        type="email"
                        ariaLabel={`E-mail of user ${i + 1}`}
                        onChange={({ detail }) => setUsers((u) => u.map((x, j) => (j === i ? { ...x, email: detail.value } : x)))}
                      />
                    ),
                  },
                  {
                    label: 'Role',
                    errorText: (item) => errorOf(`users[${users.indexOf(item)}].role`),
                    control: (item, i) => (
                      <Select
                        selectedOption={{ value: item.role, label: ROLE_LABEL[item.role] }}
                        options={CUSTOMER_ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
                        ariaLabel={`Role of user ${i + 1}`}
                        onChange={({ detail }) => setUsers((u) => u.map((x, j) => (j === i ? { ...x, role: detail.selectedOption.value as CustomerRole } : x)))}
                      />
                    ),
                  },
                  {
                    control: (item, i) => (
                      <EndField
                        label={`Membership of user ${i + 1} ends`}
                        value={item.end}
                        onChange={(end) => setUsers((u) => u.map((x, j) => (j === i ? { ...x, end } : x)))}
                        errorText={errorOf(`users[${i}].membershipExpiresAt`)}
                        noEndDescription="The membership lasts until someone removes it."
                      />
                    ),
                  },
                ]}
              />
            </Container>
            <Container header={<Header variant="h2" description="As a partner you may set restricted tags too; customers cannot.">Tags</Header>}>
              <QueryState query={definitions} label="The tag definitions">
                {(list) =>
                  list.items.length === 0 ? (
                    <Alert type="info">No tags are defined.</Alert>
                  ) : (
                    <SpaceBetween size="m">
                      {list.items.map((d) => (
                        <TagValueInput
                          key={d.key}
                          definition={d}
                          values={tags[d.key] ?? []}
                          onChange={(v) => setTags((t) => ({ ...t, [d.key]: v }))}
                          error={errorOf(`tags.${d.key}`)}
                        />
                      ))}
                    </SpaceBetween>
                  )
                }
              </QueryState>
            </Container>
          </SpaceBetween>
        </Form>
      </form>
    </ContentLayout>
  );
}
