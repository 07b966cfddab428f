// /register: a signed-in user registers a new customer (self-service) and becomes its customer
// admin. The identifier is checked as it is typed; the unrestricted tags are typed inputs from the
// tag definitions (the mandatory ones required).
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { answer } from '../../api/client';
import { keys, tagDefinitionsQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { useFollow } from '../../shared/navigation';
import { formProblem, noProblem } from '../../shared/problems';
import { QueryState } from '../../shared/QueryState';
import { TagValueInput } from '../../shared/tags/TagValueInput';
import { tagValueProblem, type TagValues } from '../../shared/tags/tagValues';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { displayNameProblem, identifierProblem } from '../../shared/validation';

export function RegisterPage() {
  const api = useApi();
  const follow = useFollow();
  const queryClient = useQueryClient();
  const definitions = useQuery(tagDefinitionsQuery(api));
  const [identifier, setIdentifier] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [tags, setTags] = useState<TagValues>({});
  const [submitted, setSubmitted] = useState(false);
  const register = useMutation({
    mutationFn: () => {
      const chosen = Object.fromEntries(Object.entries(tags).filter(([, v]) => v.length > 0));
      return answer(api.POST('/registrations', { body: { identifier, displayName: displayName.trim(), tags: Object.keys(chosen).length > 0 ? chosen : null } }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.myCustomers }),
  });
  const registered = register.data?.data;
  useDocumentTitle(registered ? 'Registration received' : 'Register a customer');
  const open = (definitions.data?.items ?? []).filter((d) => !d.restricted).sort((a, b) => Number(b.mandatory) - Number(a.mandatory));

  if (registered) {
    const pending = registered.status === 'PENDING_APPROVAL';
    return (
      <Container header={<Header variant="h1">{pending ? 'Your registration is being verified' : `${registered.displayName} is registered`}</Header>}>
        <SpaceBetween size="m">
          <Box variant="p">
            {pending
              ? `${registered.displayName} (${registered.identifier}) is registered and awaits your partner's approval. We sent a mail to your address; you get another one once it is approved.`
              : `${registered.displayName} (${registered.identifier}) is ready, and you are its customer admin.`}
          </Box>
          <Link href={`/my/customers/${registered.identifier}/users`} onFollow={follow}>{`Open ${registered.displayName}`}</Link>
        </SpaceBetween>
      </Container>
    );
  }

  const problem = register.isError ? formProblem(register.error, ['identifier', 'displayName', 'tags.*'], { 'identifier-taken': 'identifier' }) : noProblem;
  const identifierError = (identifier || submitted ? identifierProblem(identifier) : null) ?? problem.fields.identifier ?? null;
  const nameError = (submitted ? displayNameProblem(displayName, 'a display name') : null) ?? problem.fields.displayName ?? null;
  const submit = () => {
    setSubmitted(true);
    if (identifierProblem(identifier) || displayNameProblem(displayName) || open.some((d) => tagValueProblem(d, tags[d.key] ?? []))) return;
    register.mutate();
  };
  return (
    <form onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <Form
        header={<Header variant="h1" description="You become the customer admin of the customer you register.">Register a customer</Header>}
        actions={<Button variant="primary" loading={register.isPending}>Register customer</Button>}
        errorText={problem.message}
      >
        <SpaceBetween size="l">
          <Container>
            <SpaceBetween size="m">
              <FormField
                label="Identifier"
                description="Lowercase letters, digits and hyphens, up to 32. The identifier cannot be changed later: choose it carefully."
                errorText={identifierError}
              >
                <Input value={identifier} onChange={({ detail }) => setIdentifier(detail.value)} autoComplete={false} />
              </FormField>
              <FormField label="Display name" errorText={nameError}>
                <Input value={displayName} onChange={({ detail }) => setDisplayName(detail.value)} />
              </FormField>
            </SpaceBetween>
          </Container>
          <Container header={<Header variant="h2">Tags</Header>}>
            <QueryState query={definitions} label="The tag definitions">
              {() =>
                open.length === 0 ? (
                  <Alert type="info">No tags are asked for.</Alert>
                ) : (
                  <SpaceBetween size="m">
                    {open.map((d) => (
                      <TagValueInput
                        key={d.key}
                        definition={d}
                        values={tags[d.key] ?? []}
                        onChange={(v) => setTags((t) => ({ ...t, [d.key]: v }))}
                        error={(submitted ? tagValueProblem(d, tags[d.key] ?? []) : null) ?? problem.fields[`tags.${d.key}`]}
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
  );
}
