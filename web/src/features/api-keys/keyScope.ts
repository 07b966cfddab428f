// Where a set of API keys lives, and the API calls and query keys for it: a partner's keys
// (`/api-keys`; a platform admin names the partner) or a customer's (`/customers/{id}/api-keys`).
// The pages and components of this feature reach the API only through here.
import { answer, body, type Api } from '../../api/client';
import { keys } from '../../api/queries';

export type KeyScope =
  /** `partnerId` null: the caller's own partner (a partner admin; the API takes it from the token). */
  | { kind: 'partner'; partnerId: string | null }
  | { kind: 'customer'; customerId: string };

export type PartnerKeyRole = 'PARTNER_ADMIN' | 'PARTNER_EMPLOYEE';
export type CustomerKeyRole = 'CUSTOMER_ADMIN' | 'CUSTOMER_EMPLOYEE';
export type KeyRole = PartnerKeyRole | CustomerKeyRole;

export interface NewKey {
  name: string;
  role: KeyRole;
  /** RFC 3339, or null for a key that does not expire. */
  expiresAt: string | null;
}

/** The roles a key of the scope may have, the least first (the form's default). */
export const rolesOf = (scope: KeyScope): KeyRole[] =>
  scope.kind === 'partner' ? ['PARTNER_EMPLOYEE', 'PARTNER_ADMIN'] : ['CUSTOMER_EMPLOYEE', 'CUSTOMER_ADMIN'];

/** What a key of each role may do, in the create form's words. */
export const ROLE_DESCRIPTION: Record<KeyRole, string> = {
  PARTNER_ADMIN: "What a partner admin may do in the partner's customers.",
  PARTNER_EMPLOYEE: "What a partner employee may do in the partner's customers.",
  CUSTOMER_ADMIN: 'What a customer admin may do in this customer: members, invitations, projects.',
  CUSTOMER_EMPLOYEE: 'What a customer employee may do in this customer.',
};

/**
 * The query key of the scope's list. A customer's keys sit under ['customer', id], so whatever
 * invalidates the customer reaches them too.
 */
export const keysQueryKey = (scope: KeyScope) =>
  scope.kind === 'partner' ? ['api-keys', 'partner', scope.partnerId ?? ''] : [...keys.customer(scope.customerId), 'api-keys'];

const partnerQuery = (partnerId: string | null) => (partnerId ? { partnerId } : {});

export function listKeys(api: Api, scope: KeyScope) {
  return scope.kind === 'partner'
    ? body(api.GET('/api-keys', { params: { query: partnerQuery(scope.partnerId) } }))
    : body(api.GET('/customers/{id}/api-keys', { params: { path: { id: scope.customerId } } }));
}

/** The answer carries the key itself: the one time it is ever shown. */
export async function createKey(api: Api, scope: KeyScope, key: NewKey) {
  const expiresAt = key.expiresAt ?? undefined;
  if (scope.kind === 'partner') {
    const role = key.role as PartnerKeyRole;
    const created = await answer(api.POST('/api-keys', { body: { name: key.name, role, expiresAt, ...partnerQuery(scope.partnerId) } }));
    return created.data;
  }
  const role = key.role as CustomerKeyRole;
  const created = await answer(api.POST('/customers/{id}/api-keys', { params: { path: { id: scope.customerId } }, body: { name: key.name, role, expiresAt } }));
  return created.data;
}

export function revokeKey(api: Api, scope: KeyScope, keyId: string) {
  return scope.kind === 'partner'
    ? answer(api.DELETE('/api-keys/{keyId}', { params: { path: { keyId }, query: partnerQuery(scope.partnerId) } }))
    : answer(api.DELETE('/customers/{id}/api-keys/{keyId}', { params: { path: { id: scope.customerId, keyId } } }));
}

/** A key as lists show it (never with its secret). */
export type ApiKey = Awaited<ReturnType<typeof listKeys>>['items'][number];
/** A key as its creation answers it, the secret `key` included. */
export type CreatedKey = Awaited<ReturnType<typeof createKey>>;
