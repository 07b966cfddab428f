import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { body, type Schemas } from '../../api/client';
import { keys, PAGE_SIZE } from '../../api/queries';
import { useApi, useUser } from '../../auth/AuthContext';
import { DownloadAccessReviewButton } from '../../shared/accessReview/DownloadAccessReviewButton';
import { blockedReason, useCustomer } from '../../shared/customerContext';
import { CursorPagination } from '../../shared/CursorPagination';
import { ConfirmModal } from '../../shared/ConfirmModal';
import { personLabel, ROLE_LABEL } from '../../shared/labels';
import { MemberEnd } from '../../shared/membershipEnd/MemberEnd';
import { problemSentence } from '../../shared/problems';
import { Time } from '../../shared/time';
import { useDocumentTitle } from '../../shared/useDocumentTitle';
import { useListParams } from '../../shared/useListParams';
import { useNarrowScreen } from '../../shared/useNarrowScreen';
import { reviewNoteProblem } from '../../shared/validation';
import { decisionsOf, MAX_REMOVALS, membersChanged, type ReviewedMember } from './accessReview';

type Review = Schemas['AccessReview'];

const NARROW_COLUMNS = ['member', 'email', 'role', 'ends', 'reviewed', 'decision'].map((id) => ({ id, visible: id === 'member' || id === 'decision' }));
const NARROW_REVIEW_COLUMNS = ['when', 'by', 'kept', 'removed', 'note'].map((id) => ({ id, visible: id === 'when' }));

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Account → Access review (customer admins): every current member with Keep (the default) or
 * Remove, an optional note, one confirmation naming who is removed, then the result; the past
 * reviews below; and the CSV of who has access. Opening it reads only.
 */
export function AccessReviewPage() {
  const { customer, role } = useCustomer();
  useDocumentTitle(`Access review · ${customer.displayName}`);
  const id = customer.identifier;
  const api = useApi();
  const user = useUser();
  const queryClient = useQueryClient();
  const narrow = useNarrowScreen();
  const isAdmin = role === 'CUSTOMER_ADMIN';
  const reviewsList = useListParams([], 'reviews');
  const current = useQuery({
    queryKey: [...keys.customer(id), 'access-review'],
    // JSON, the default (the CSV only when Accept asks for it).
    queryFn: async () => (await body(api.GET('/customers/{id}/access-review', { params: { path: { id } } }))) as Schemas['AccessReviewExport'],
    enabled: isAdmin,
    // Decisions are made on what was read: not read again under the person's hands.
    refetchOnWindowFocus: false,
  });
  const reviews = useQuery({
    queryKey: [...keys.customer(id), 'access-reviews', reviewsList.cursor ?? null],
    queryFn: () => body(api.GET('/customers/{id}/access-reviews', { params: { path: { id }, query: { limit: PAGE_SIZE, cursor: reviewsList.cursor } } })),
    enabled: isAdmin,
    placeholderData: keepPreviousData,
  });
  const [removing, setRemoving] = useState<ReadonlySet<string>>(new Set());
  const [note, setNote] = useState('');
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [changed, setChanged] = useState(false);
  const [done, setDone] = useState<{ review: Review; removed: string[] } | null>(null);

  const members = current.data?.members ?? [];
  const toRemove = members.filter((m) => removing.has(m.userId));
  const noteError = reviewNoteProblem(note);
  const tooMany = toRemove.length > MAX_REMOVALS;
  const blocked = blockedReason(customer);
  // Names of people the page has seen, for the past reviews (which carry user ids only).
  const [seenNames] = useState(() => new Map<string, string>());
  for (const m of members) seenNames.set(m.userId, personLabel(m));
  const nameOf = (userId: string) => (userId === user?.sub ? 'you' : (seenNames.get(userId) ?? userId));

  const submit = useMutation({
    mutationFn: (request: Schemas['AccessReviewRequest']) => body(api.POST('/customers/{id}/access-reviews', { params: { path: { id } }, body: request })),
    onSuccess: (review) => {
      setDone({ review, removed: review.removed.map(nameOf) });
      setRemoving(new Set());
      setNote('');
      setTouched(false);
      void queryClient.invalidateQueries({ queryKey: keys.customer(id) });
    },
  });

  const reload = async () => {
    setChanged(false);
    await current.refetch();
  };

  if (!isAdmin) {
    return <Alert type="info" header="Access reviews are for customer admins">Only a customer admin of {customer.displayName} reviews who keeps access to it.</Alert>;
  }

  const toggle = (member: ReviewedMember, remove: boolean) => {
    setDone(null);
    setRemoving((now) => {
      const next = new Set(now);
      if (remove) next.add(member.userId);
      else next.delete(member.userId);
      return next;
    });
  };

  const start = () => {
    setTouched(true);
    if (noteError || tooMany || members.length === 0) return;
    setConfirming(true);
  };

  const who = (m: ReviewedMember) => `${personLabel(m)}${m.userId === user?.sub ? ' (you)' : ''}`;

  return (
    <SpaceBetween size="l">
      <form onSubmit={(e) => { e.preventDefault(); start(); }}>
        <Form
          actions={
            <Button variant="primary" disabled={Boolean(blocked) || !current.data} disabledReason={blocked ?? undefined} loading={submit.isPending}>
              Submit review
            </Button>
          }
        >
          <SpaceBetween size="m">
            {done ? (
              <Alert type="success" header="Review recorded" dismissible dismissAriaLabel="Close the result" onDismiss={() => setDone(null)}>
                {plural(done.review.kept.length, 'member')} kept
                {done.removed.length > 0 ? `, ${plural(done.removed.length, 'member')} removed: ${done.removed.join(', ')}.` : ', no one removed.'}
              </Alert>
            ) : null}
            {changed ? (
              <Alert
                type="warning"
                header="The members changed since you read them"
                action={<Button formAction="none" onClick={() => void reload()}>Reload the members</Button>}
              >
                Someone joined or left {customer.displayName} meanwhile, so this review no longer covers every member. Nothing was
                changed. Reload the members, check your decisions, and submit again.
              </Alert>
            ) : null}
            <Table<ReviewedMember>
              header={
                <Header
                  variant="h2"
                  counter={current.data ? `(${members.length})` : undefined}
                  description={`Decide for every member whether they keep access to ${customer.displayName}. Everyone is kept unless you choose Remove; at most ${MAX_REMOVALS} are removed in one review.`}
                  actions={<DownloadAccessReviewButton customerId={id} />}
                >
                  Review access
                </Header>
              }
              items={members}
              loading={current.isPending}
              loadingText="Loading the members"
              trackBy="userId"
              wrapLines
              columnDisplay={narrow ? NARROW_COLUMNS : undefined}
              ariaLabels={{ tableLabel: `Members of ${customer.displayName} to review` }}
              empty={current.isError ? <Box color="text-status-error">{problemSentence(current.error)}</Box> : <Box textAlign="center">No members.</Box>}
              columnDefinitions={[
                {
                  id: 'member',
                  header: 'Member',
                  isRowHeader: true,
                  cell: (m) => (
                    <SpaceBetween size="xxxs">
                      <span>{who(m)}</span>
                      {narrow && m.email && m.name ? <Box variant="small">{m.email}</Box> : null}
                      {narrow ? <Box variant="small">{ROLE_LABEL[m.role]}</Box> : null}
                      {narrow ? <MemberEnd expiresAt={m.expiresAt} hideNoEnd /> : null}
                    </SpaceBetween>
                  ),
                },
                { id: 'email', header: 'E-mail', cell: (m) => m.email ?? '—' },
                { id: 'role', header: 'Role', cell: (m) => ROLE_LABEL[m.role] },
                { id: 'ends', header: 'Membership ends', minWidth: 190, cell: (m) => <MemberEnd expiresAt={m.expiresAt} /> },
                { id: 'reviewed', header: 'Last reviewed', cell: (m) => (m.lastReviewedAt ? <Time iso={m.lastReviewedAt} /> : 'Not yet, or changed since') },
                {
                  id: 'decision',
                  header: 'Decision',
                  minWidth: 130,
                  cell: (m) => (
                    <Checkbox checked={removing.has(m.userId)} onChange={({ detail }) => toggle(m, detail.checked)} ariaLabel={`Remove ${who(m)}`}>
                      Remove
                    </Checkbox>
                  ),
                },
              ]}
            />
            {touched && tooMany ? (
              <Alert type="error">At most {MAX_REMOVALS} members can be removed in one review; {toRemove.length} are chosen. Remove the others in a second review.</Alert>
            ) : null}
            <FormField label="Note (optional)" description="Why, for the record (one line, up to 1000 characters)." errorText={touched ? noteError : null}>
              <Input value={note} onChange={({ detail }) => setNote(detail.value)} placeholder="e.g. Quarterly review" />
            </FormField>
          </SpaceBetween>
        </Form>
      </form>
      <Table<Review>
        header={<Header variant="h2" description="Newest first.">Past reviews</Header>}
        items={reviews.data?.items ?? []}
        loading={reviews.isPending}
        loadingText="Loading the past reviews"
        trackBy="reviewId"
        wrapLines
        columnDisplay={narrow ? NARROW_REVIEW_COLUMNS : undefined}
        ariaLabels={{ tableLabel: `Access reviews of ${customer.displayName}` }}
        empty={reviews.isError ? <Box color="text-status-error">{problemSentence(reviews.error)}</Box> : <Box textAlign="center">No reviews yet.</Box>}
        pagination={<CursorPagination list={reviewsList} nextCursor={reviews.data?.nextCursor} />}
        columnDefinitions={[
          {
            id: 'when',
            header: 'When',
            isRowHeader: true,
            cell: (r) =>
              narrow ? (
                <SpaceBetween size="xxxs">
                  <span><Time iso={r.reviewedAt} /> by {nameOf(r.reviewedBy)}</span>
                  <Box variant="small">{reviewCounts(r, nameOf)}</Box>
                  {r.note ? <Box variant="small">“{r.note}”</Box> : null}
                </SpaceBetween>
              ) : (
                <Time iso={r.reviewedAt} />
              ),
          },
          { id: 'by', header: 'By', cell: (r) => nameOf(r.reviewedBy) },
          { id: 'kept', header: 'Kept', cell: (r) => r.kept.length },
          {
            id: 'removed',
            header: 'Removed',
            cell: (r) => (r.removed.length > 0 ? `${r.removed.length}: ${r.removed.map(nameOf).join(', ')}` : '0'),
          },
          { id: 'note', header: 'Note', cell: (r) => r.note ?? '—' },
        ]}
      />
      {confirming ? (
        <ConfirmModal
          title={toRemove.length > 0 ? `Remove ${plural(toRemove.length, 'member')} from ${customer.displayName}?` : `Keep all ${plural(members.length, 'member')}?`}
          confirmLabel={toRemove.length > 0 ? `Remove ${plural(toRemove.length, 'member')} and record the review` : 'Record the review'}
          onDismiss={() => setConfirming(false)}
          onConfirm={async () => {
            try {
              await submit.mutateAsync({ decisions: decisionsOf(members, removing), note: note.trim() || null });
            } catch (error) {
              // Members joined or left meanwhile: said on the page with a way to read them again.
              if (membersChanged(error)) setChanged(true);
              else throw error;
            }
          }}
        >
          {toRemove.length > 0 ? (
            <SpaceBetween size="s">
              <Box>
                {plural(toRemove.length, 'member')} lose{toRemove.length === 1 ? 's' : ''} access to {customer.displayName} at once:
              </Box>
              <ul className="review-removed">
                {toRemove.map((m) => <li key={m.userId}>{who(m)}{m.email && m.name ? ` (${m.email})` : ''} · {ROLE_LABEL[m.role]}</li>)}
              </ul>
              <Box>
                {members.length - toRemove.length === 0
                  ? 'No one else is a member.'
                  : members.length - toRemove.length === 1
                    ? 'The other member is kept.'
                    : `The other ${members.length - toRemove.length} members are kept.`}
              </Box>
            </SpaceBetween>
          ) : (
            <Box>No one is removed: the review records that all {plural(members.length, 'member')} keep their access.</Box>
          )}
          {note.trim() ? <Box margin={{ top: 's' }}>Note: “{note.trim()}”</Box> : null}
        </ConfirmModal>
      ) : null}
    </SpaceBetween>
  );
}

function reviewCounts(r: Review, nameOf: (userId: string) => string): string {
  return `${r.kept.length} kept, ${r.removed.length} removed${r.removed.length > 0 ? `: ${r.removed.map(nameOf).join(', ')}` : ''}`;
}
