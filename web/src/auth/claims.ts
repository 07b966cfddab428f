// What the page reads from the ID token to decide what to show. The browser does not verify the
// token: the API does, and its 403/404 answers are shown in words.

export type AdminRole = 'PLATFORM_ADMIN' | 'PARTNER_ADMIN' | 'PARTNER_EMPLOYEE';

/** Strongest first, as the API picks them (shared/src/principal.rs). */
const ADMIN_ROLE_BY_GROUP: [string, AdminRole][] = [
  ['platform-admins', 'PLATFORM_ADMIN'],
  ['partner-admins', 'PARTNER_ADMIN'],
  ['partner-employees', 'PARTNER_EMPLOYEE'],
];

export interface SignedInUser {
  sub: string;
  email: string | null;
  name: string | null;
  groups: string[];
  partnerId: string | null;
  adminRole: AdminRole | null;
  /** seconds since the epoch */
  expiresAt: number | null;
}

export function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** In the raw ID token `cognito:groups` is a JSON array; a single string is accepted too. */
function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value === 'string' && value) return [value];
  return [];
}

export function userFromToken(token: string): SignedInUser | null {
  const claims = decodeJwtPayload(token);
  if (!claims || typeof claims.sub !== 'string') return null;
  const groups = groupsOf(claims['cognito:groups']);
  const adminRole = ADMIN_ROLE_BY_GROUP.find(([group]) => groups.includes(group))?.[1] ?? null;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    sub: claims.sub,
    email: str(claims.email),
    name: str(claims.name),
    groups,
    partnerId: str(claims['custom:partner_id']),
    adminRole,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : null,
  };
}

/** Tag definitions are managed by platform and partner admins only (not partner employees). */
export const canManageTagDefinitions = (user: SignedInUser | null) =>
  user?.adminRole === 'PLATFORM_ADMIN' || user?.adminRole === 'PARTNER_ADMIN';

/** A partner's API keys are managed by its partner admins, and by platform admins for any partner. */
export const canManagePartnerApiKeys = canManageTagDefinitions;
