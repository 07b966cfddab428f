// One sentence per history entry, in words: "pat@acme.example (partner admin) disabled the
// customer: unpaid invoice". Ids stay out of the sentence; the raw event is shown beside it.
import type { paths } from '../../api/schema';
import { roleWords, ROLE_LABEL, STATUS_LABEL, MESSAGE_MODE_LABEL, type CustomerRole } from '../../shared/labels';
import { exactTime } from '../../shared/time';

export type HistoryEntry = paths['/customers/{id}/events']['get']['responses'][200]['content']['application/json']['items'][number];

const role = (r: CustomerRole) => ROLE_LABEL[r].toLowerCase();
const quoted = (text: string, max = 80) => `“${[...text].length > max ? `${[...text].slice(0, max).join('')}…` : text}”`;
const values = (list: string[] | null | undefined) => (list && list.length > 0 ? list.join(', ') : 'nothing');

/** Who did it: their e-mail address (else user id), or the API key a program used; and the role they acted in. */
export function actorWords(entry: HistoryEntry): string {
  const actor = entry.actor as { userId: string; email: string | null; role: string; apiKeyName?: string } | null;
  if (!actor) return 'Someone';
  if (actor.role === 'SYSTEM') return 'The system';
  if (actor.apiKeyName) return `A program with the API key ${quoted(actor.apiKeyName)} (${roleWords(actor.role)})`;
  return `${actor.email ?? actor.userId} (${roleWords(actor.role)})`;
}

/** What happened, as the rest of the sentence after the actor; tags by their display names when known. */
export function whatHappened(entry: HistoryEntry, tagNames: Record<string, string> = {}): string {
  switch (entry.type) {
    case 'CUSTOMER_REGISTERED':
      return `registered the customer “${entry.data.displayName}” (${STATUS_LABEL[entry.data.status].toLowerCase()})`;
    case 'CUSTOMER_CREATED':
      return `created the customer “${entry.data.displayName}” with a quota of ${entry.data.projectQuota} projects`;
    case 'USER_INVITED':
      return `invited ${entry.data.email} as ${role(entry.data.role)}`;
    case 'USER_ACCEPTED_INVITATION':
      return `accepted the invitation of ${entry.data.email} and joined as ${role(entry.data.role)}`;
    case 'USER_INVITATION_CANCELLED':
      return `cancelled the invitation of ${entry.data.email}`;
    case 'USER_REMOVED': {
      const data = entry.data as { userId: string; email?: string | null; role?: CustomerRole; reason?: string };
      const who = data.email ?? data.userId;
      if (data.reason === 'EXPIRED') return `removed ${who}: the membership had ended`;
      if (data.reason === 'ACCESS_REVIEW') return `removed ${who}${data.role ? ` (${role(data.role)})` : ''} in an access review`;
      return `removed ${who}${data.role ? ` (${role(data.role)})` : ''} from the customer`;
    }
    case 'MEMBERSHIP_EXPIRY_CHANGED': {
      const { userId, to } = entry.data;
      if (!to) return `made the membership of ${userId} permanent`;
      return `set the membership of ${userId} to end ${exactTime(to)}`;
    }
    case 'ACCESS_REVIEWED': {
      const { kept, removed, note } = entry.data;
      const members = (n: number) => `${n} member${n === 1 ? '' : 's'}`;
      const outcome = removed.length > 0 ? `kept ${members(kept.length)} and removed ${members(removed.length)}` : `kept ${members(kept.length)} and removed none`;
      return `reviewed who has access: ${outcome}${note ? `: ${quoted(note)}` : ''}`;
    }
    case 'MEMBERSHIP_EXPIRING':
      return `warned ${entry.data.email ?? entry.data.userId} (${role(entry.data.role)}) that the membership ends ${exactTime(entry.data.expiresAt)}`;
    case 'USER_ROLE_CHANGED':
      return `changed the role of ${entry.data.userId} from ${role(entry.data.from)} to ${role(entry.data.to)}`;
    case 'CUSTOMER_QUOTA_EDITED':
      return `changed the project quota from ${entry.data.from} to ${entry.data.to}`;
    case 'USER_ASSIGNED_HIMSELF':
      return `added themselves as ${role(entry.data.role)}${entry.data.reason ? `: ${entry.data.reason}` : ''}`;
    case 'CUSTOMER_STATUS_CHANGED': {
      const verb = entry.data.to === 'DISABLED' ? 'disabled the customer' : entry.data.to === 'ACTIVE' ? 'enabled the customer' : `set the status to ${STATUS_LABEL[entry.data.to].toLowerCase()}`;
      return `${verb}${entry.data.reason ? `: ${entry.data.reason}` : ''}`;
    }
    case 'CUSTOMER_APPROVED':
      return entry.data.emailConfirmationRequired
        ? 'approved the registration; the registrant is asked to confirm their e-mail address'
        : 'approved the registration';
    case 'CUSTOMER_REJECTED':
      return `rejected the registration of “${entry.data.displayName}”: ${entry.data.reason}`;
    case 'CUSTOMER_UPDATED':
      return `renamed the customer from “${entry.data.displayName.from}” to “${entry.data.displayName.to}”`;
    case 'CUSTOMER_TAGS_EDITED': {
      const changes = Object.entries(entry.data.changes).map(([key, change]) => `${tagNames[key] ?? key} from ${values(change.from)} to ${values(change.to)}`);
      return `changed the tags: ${changes.join('; ') || 'none'}`;
    }
    case 'EMAIL_CONFIRMED':
      return `confirmed the e-mail address ${entry.data.email}; the customer is active`;
    case 'MESSAGE_SENT':
      return `sent a message (${MESSAGE_MODE_LABEL[entry.data.mode].toLowerCase()}): ${quoted(entry.data.text)}`;
    case 'MESSAGE_ACKNOWLEDGED':
      return entry.data.resolved ? 'acknowledged a message and resolved it for everyone' : 'acknowledged a message';
    case 'PROJECT_CREATED':
      return `created the project “${entry.data.displayName}” (${entry.data.projectId})`;
    case 'TENANT_CREATED':
      return `created a ${entry.data.platform} tenant in the project ${entry.data.projectId}`;
    case 'SERVICE_USER_CREATED':
      return `created the service user “${entry.data.name}”`;
    case 'SERVICE_USER_DELETED':
      return `deleted the service user “${entry.data.name}”`;
    case 'TAG_DEFINITION_CREATED':
      return 'created a tag definition';
    case 'TAG_DEFINITION_UPDATED':
      return `changed the tag definition ${entry.data.key}`;
    case 'TAG_DEFINITION_DELETED':
      return 'deleted a tag definition';
    case 'API_KEY_CREATED': {
      const expiry = entry.data.expiresAt ? `, valid until ${exactTime(entry.data.expiresAt)}` : ', without expiry';
      return `created the API key ${quoted(entry.data.name)} (${roleWords(entry.data.role)}${expiry})`;
    }
    case 'API_KEY_REVOKED':
      return `revoked the API key ${quoted(entry.data.name)}`;
    default: {
      const unknown = entry as { type: string };
      return `recorded ${unknown.type.toLowerCase().replace(/_/g, ' ')}`;
    }
  }
}

export const historySentence = (entry: HistoryEntry, tagNames: Record<string, string> = {}) =>
  `${actorWords(entry)} ${whatHappened(entry, tagNames)}.`.replace(/\.\.$/, '.');
