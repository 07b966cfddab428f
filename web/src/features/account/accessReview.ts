// The rules of a review as the page applies them before sending (the API holds them too): every
// member decided once, KEEP unless chosen otherwise, at most 20 removals; and which of the API's
// refusals mean "the members changed since you read them".
import { ApiError, type Schemas } from '../../api/client';
import { normalizeField } from '../../shared/problems';

/** At most this many members are removed in one review (the API's limit, MAX_REVIEW_REMOVALS). */
export const MAX_REMOVALS = 20;

export type ReviewedMember = Schemas['AccessReviewExport']['members'][number];

/** One decision per member read, REMOVE for those chosen, KEEP for everyone else. */
export function decisionsOf(members: readonly ReviewedMember[], removing: ReadonlySet<string>): Schemas['AccessReviewRequest']['decisions'] {
  return members.map((m) => ({ userId: m.userId, decision: removing.has(m.userId) ? 'REMOVE' : 'KEEP' }));
}

/**
 * The API's 400 when the decisions do not cover the members as they are now: someone joined
 * (missing from `decisions`) or left (`decisions[i].userId` is no member) since the page read them.
 */
export function membersChanged(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.status === 409 && error.problem.type === 'concurrent-modification') return true;
  if (error.status !== 400) return false;
  return Object.entries(error.problem.errors ?? {}).some(([field, message]) => {
    const name = normalizeField(field);
    return (name === 'decisions' && /missing/.test(message)) || (/^decisions\[\d+\]\.userId$/.test(name) && /not a member/.test(message));
  });
}
