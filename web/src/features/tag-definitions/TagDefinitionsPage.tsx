import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ButtonDropdown from '@cloudscape-design/components/button-dropdown';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { useCollection } from '@cloudscape-design/collection-hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { answer, etagOf } from '../../api/client';
import { keys, PAGE_SIZE, tagDefinitionsQuery } from '../../api/queries';
import { useApi, useUser } from '../../auth/AuthContext';
import { canManageTagDefinitions } from '../../auth/claims';
import { ConfirmModal } from '../../shared/ConfirmModal';
import { useNotify } from '../../shared/notifications';
import { problemSentence } from '../../shared/problems';
import { describeType, type TagDefinition } from '../../shared/tags/tagValues';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { TagDefinitionModal } from './TagDefinitionModal';

/**
 * Admin Area → Tag definitions: the installation's tags. All of them are read at once, so the
 * search and the page are Cloudscape's collection hooks, kept in the URL (`q`, `page`).
 */
export default function TagDefinitionsPage() {
  useDocumentTitle('Tag definitions');
  const api = useApi();
  const user = useUser();
  const canManage = canManageTagDefinitions(user);
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const definitions = useQuery(tagDefinitionsQuery(api));
  const [editing, setEditing] = useState<TagDefinition | 'new' | null>(null);
  const [deleting, setDeleting] = useState<TagDefinition | null>(null);

  const { items, actions, filteredItemsCount, collectionProps, filterProps, paginationProps } = useCollection(definitions.data?.items ?? [], {
    filtering: {
      defaultFilteringText: q,
      empty: <Box textAlign="center">No tags are defined yet.</Box>,
      noMatch: <Box textAlign="center">No tag matches the search.</Box>,
    },
    pagination: { pageSize: PAGE_SIZE, defaultPage: page },
    sorting: { defaultState: { sortingColumn: { sortingField: 'displayName' } } },
  });
  // Back and deep links move the URL: the collection follows it.
  const seen = useRef({ q, page });
  useEffect(() => {
    if (seen.current.q !== q) actions.setFiltering(q);
    if (seen.current.page !== page) actions.setCurrentPage(page);
    seen.current = { q, page };
  });
  const setParam = (name: string, value: string, replace = false) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(name, value);
      else next.delete(name);
      if (name !== 'page') next.delete('page');
      return next;
    }, { replace });

  return (
    <>
      <Table<TagDefinition>
        {...collectionProps}
        variant="full-page"
        items={items}
        loading={definitions.isPending}
        loadingText="Loading the tag definitions"
        trackBy="key"
        wrapLines
        stickyColumns={{ first: 0, last: canManage ? 1 : 0 }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={definitions.data ? `(${definitions.data.items.length})` : undefined}
            description="Tags every customer can carry. Mandatory unrestricted tags are asked at registration; restricted tags are set by partners only."
            actions={canManage ? <Button variant="primary" iconName="add-plus" onClick={() => setEditing('new')}>Create Tag</Button> : undefined}
          >
            Tag definitions
          </Header>
        }
        filter={
          <TextFilter
            {...filterProps}
            filteringAriaLabel="Search tags"
            filteringPlaceholder="Search tags"
            countText={`${filteredItemsCount ?? 0} ${filteredItemsCount === 1 ? 'match' : 'matches'}`}
            onChange={(event) => {
              filterProps.onChange(event);
              setParam('q', event.detail.filteringText, true);
            }}
          />
        }
        pagination={
          <Pagination
            {...paginationProps}
            ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }}
            onChange={(event) => {
              paginationProps.onChange(event);
              setParam('page', event.detail.currentPageIndex > 1 ? String(event.detail.currentPageIndex) : '');
            }}
          />
        }
        empty={definitions.isError ? <Box color="text-status-error">{problemSentence(definitions.error)}</Box> : undefined}
        columnDefinitions={[
          {
            id: 'name',
            header: 'Tag',
            sortingField: 'displayName',
            isRowHeader: true,
            cell: (d) => (
              <SpaceBetween size="xxxs">
                <b>{d.displayName}</b>
                <Box variant="small">{d.key}</Box>
              </SpaceBetween>
            ),
          },
          {
            id: 'type',
            header: 'Values',
            cell: (d) => [describeType(d), d.pattern ? `(${d.pattern})` : null, d.options ? `: ${d.options.join(', ')}` : null].filter(Boolean).join(' '),
          },
          {
            id: 'rules',
            header: 'Rules',
            cell: (d) => (
              <SpaceBetween direction="horizontal" size="xxs">
                {d.mandatory ? <Badge color="blue">Mandatory</Badge> : null}
                {d.restricted ? <Badge color="grey">Restricted</Badge> : null}
              </SpaceBetween>
            ),
          },
          ...(canManage
            ? [{
                id: 'actions',
                header: 'Actions',
                minWidth: 150,
                cell: (d: TagDefinition) => (
                  <ButtonDropdown
                    ariaLabel={`Actions for tag ${d.key}`}
                    expandToViewport
                    items={[
                      { id: 'edit', text: 'Edit', iconName: 'edit' },
                      { id: 'delete', text: 'Delete…', iconName: 'remove' },
                    ]}
                    onItemClick={({ detail }) => (detail.id === 'edit' ? setEditing(d) : setDeleting(d))}
                  >
                    Actions
                  </ButtonDropdown>
                ),
              }]
            : []),
        ]}
      />
      {editing ? <TagDefinitionModal editing={editing === 'new' ? null : editing} onDismiss={() => setEditing(null)} /> : null}
      {deleting ? <DeleteModal definition={deleting} onDismiss={() => setDeleting(null)} /> : null}
    </>
  );
}

function DeleteModal({ definition, onDismiss }: { definition: TagDefinition; onDismiss: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const notify = useNotify();
  const remove = useMutation({
    mutationFn: () =>
      answer(api.DELETE('/tag-definitions/{key}', { params: { path: { key: definition.key }, header: { 'If-Match': etagOf(definition.version) } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.tagDefinitions }),
  });
  return (
    <ConfirmModal
      title={`Delete the tag ${definition.displayName}?`}
      confirmLabel={`Delete ${definition.key}`}
      onDismiss={onDismiss}
      onConfirm={async () => {
        await remove.mutateAsync();
        notify('success', `The tag definition ${definition.displayName} (${definition.key}) was deleted.`);
      }}
    >
      <Box variant="p">
        The definition <b>{definition.displayName}</b> ({definition.key}) is deleted: no form asks for it any more, and values
        of it can no longer be set. This cannot be undone.
      </Box>
    </ConfirmModal>
  );
}
