import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table, { type TableProps } from '@cloudscape-design/components/table';
import { useCollection } from '@cloudscape-design/collection-hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { PAGE_SIZE } from '../../api/queries';
import { useApi, useUser } from '../../auth/AuthContext';
import { ConfirmModal } from '../../shared/ConfirmModal';
import { ROLE_LABEL } from '../../shared/labels';
import { useNotify } from '../../shared/notifications';
import { problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useNarrowScreen } from '../../shared/useNarrowScreen';
import { CreateApiKeyModal } from './CreateApiKeyModal';
import { expiresSoon, hasExpired } from './expiry';
import { keysQueryKey, listKeys, revokeKey, type ApiKey, type KeyScope } from './keyScope';

/** On a phone: the key (its role, expiry and last use under it) and the revoke button. */
const NARROW_COLUMNS: TableProps.ColumnDisplayProperties[] = [
  { id: 'name', visible: true },
  { id: 'role', visible: false },
  { id: 'created', visible: false },
  { id: 'expires', visible: false },
  { id: 'lastUsed', visible: false },
  { id: 'actions', visible: true },
];

export interface ApiKeysTableProps {
  scope: KeyScope;
  /** Who the keys act as, inside a sentence: "the partner acme", "Globex". */
  scopeName: string;
  /** The page's own table (Admin Area) or a part of a page (a customer's Account). */
  variant: 'full-page' | 'container';
  /** Above the rows: e.g. the partner picker of platform admins. */
  filter?: ReactNode;
  /** Why no key can be created now, or null. */
  createBlocked?: string | null;
  /** People by user id, to say who made a key by name (the list carries only the creator's id). */
  people?: Record<string, string>;
}

/** A scope's API keys: the list (never with a secret), Create (the key shown once), Revoke after a confirmation. */
export function ApiKeysTable({ scope, scopeName, variant, filter, createBlocked = null, people = {} }: ApiKeysTableProps) {
  const api = useApi();
  const user = useUser();
  const narrow = useNarrowScreen();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const query = useQuery({ queryKey: keysQueryKey(scope), queryFn: () => listKeys(api, scope) });
  const all = query.data?.items ?? [];
  const { items, collectionProps, paginationProps } = useCollection(all, {
    pagination: { pageSize: PAGE_SIZE },
    sorting: { defaultState: { sortingColumn: { sortingField: 'createdAt' }, isDescending: true } },
  });
  const byWhom = (createdBy: string) => (createdBy === user?.sub ? 'you' : people[createdBy] ?? createdBy);

  return (
    <>
      <Table<ApiKey>
        {...collectionProps}
        variant={variant}
        items={items}
        loading={query.isPending}
        loadingText="Loading the API keys"
        trackBy="keyId"
        wrapLines
        stickyColumns={{ first: 0, last: 1 }}
        columnDisplay={narrow ? NARROW_COLUMNS : undefined}
        ariaLabels={{ tableLabel: `API keys of ${scopeName}` }}
        filter={filter}
        header={
          <Header
            variant={variant === 'full-page' ? 'awsui-h1-sticky' : 'h2'}
            counter={query.data ? `(${all.length})` : undefined}
            description={`Keys let programs call the API as ${scopeName}. A key is shown once, when it is created; its last use is recorded at most once an hour.`}
            actions={
              <Button
                variant="primary"
                iconName="add-plus"
                onClick={() => setCreating(true)}
                disabled={Boolean(createBlocked)}
                disabledReason={createBlocked ?? undefined}
              >
                Create API key
              </Button>
            }
          >
            API keys
          </Header>
        }
        empty={
          query.isError ? (
            <Box color="text-status-error">{problemSentence(query.error)}</Box>
          ) : (
            <Box textAlign="center" color="inherit">
              <b>No API keys</b>
              <Box variant="p" color="inherit">Create one for each program that calls the API as {scopeName}.</Box>
            </Box>
          )
        }
        pagination={all.length > PAGE_SIZE ? <Pagination {...paginationProps} ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }} /> : undefined}
        columnDefinitions={[
          {
            id: 'name',
            header: 'Name',
            isRowHeader: true,
            sortingField: 'name',
            minWidth: 160,
            cell: (k) => (
              <SpaceBetween size="xxxs">
                <b>{k.name}</b>
                {narrow ? (
                  <>
                    <Box variant="small">{ROLE_LABEL[k.role]}</Box>
                    <Box variant="small"><Expiry expiresAt={k.expiresAt} inSentence /></Box>
                    <Box variant="small">Last used: <LastUsed at={k.lastUsedAt} /></Box>
                  </>
                ) : null}
              </SpaceBetween>
            ),
          },
          { id: 'role', header: 'Role', sortingField: 'role', cell: (k) => ROLE_LABEL[k.role] },
          {
            id: 'created',
            header: 'Created',
            sortingField: 'createdAt',
            cell: (k) => (
              <SpaceBetween size="xxxs">
                <Time iso={k.createdAt} />
                <Box variant="small">by {byWhom(k.createdBy)}</Box>
              </SpaceBetween>
            ),
          },
          { id: 'expires', header: 'Expires', sortingField: 'expiresAt', cell: (k) => <Expiry expiresAt={k.expiresAt} /> },
          { id: 'lastUsed', header: 'Last used', sortingField: 'lastUsedAt', cell: (k) => <LastUsed at={k.lastUsedAt} /> },
          {
            id: 'actions',
            header: 'Actions',
            minWidth: narrow ? 72 : 130,
            cell: (k) => (
              <Button iconName="remove" ariaLabel={`Revoke ${k.name}`} variant={narrow ? 'icon' : 'normal'} wrapText={false} onClick={() => setRevoking(k)}>
                Revoke
              </Button>
            ),
          },
        ]}
      />
      {creating ? <CreateApiKeyModal scope={scope} scopeName={scopeName} onDismiss={() => setCreating(false)} /> : null}
      {revoking ? <RevokeApiKeyModal scope={scope} scopeName={scopeName} apiKey={revoking} onDismiss={() => setRevoking(null)} /> : null}
    </>
  );
}

/** In its column ("Never", "in 3 months") or, on a phone, as a sentence ("Does not expire", "Expires in 3 months"). */
function Expiry({ expiresAt, inSentence = false }: { expiresAt: string | null | undefined; inSentence?: boolean }) {
  if (!expiresAt) return <>{inSentence ? 'Does not expire' : 'Never'}</>;
  if (hasExpired(expiresAt)) return <StatusIndicator type="stopped">Expired <Time iso={expiresAt} /></StatusIndicator>;
  if (expiresSoon(expiresAt)) return <StatusIndicator type="warning">Expires <Time iso={expiresAt} /></StatusIndicator>;
  return inSentence ? <>Expires <Time iso={expiresAt} /></> : <Time iso={expiresAt} />;
}

const LastUsed = ({ at }: { at: string | null | undefined }) => (at ? <Time iso={at} /> : <>Never</>);

function RevokeApiKeyModal({ scope, scopeName, apiKey, onDismiss }: { scope: KeyScope; scopeName: string; apiKey: ApiKey; onDismiss: () => void }) {
  const api = useApi();
  const notify = useNotify();
  const queryClient = useQueryClient();
  return (
    <ConfirmModal
      title={`Revoke the API key ${apiKey.name}?`}
      confirmLabel={`Revoke ${apiKey.name}`}
      onDismiss={onDismiss}
      onConfirm={async () => {
        try {
          await revokeKey(api, scope, apiKey.keyId);
        } finally {
          await queryClient.invalidateQueries({ queryKey: keysQueryKey(scope) });
        }
        notify('success', `The API key ${apiKey.name} was revoked.`);
      }}
    >
      <Box variant="p">
        Programs that send the key <b>{apiKey.name}</b> ({ROLE_LABEL[apiKey.role].toLowerCase()}) can no longer call the API as {scopeName}:
        within a minute at the latest, every request with it is refused. This cannot be undone.
      </Box>
    </ConfirmModal>
  );
}
