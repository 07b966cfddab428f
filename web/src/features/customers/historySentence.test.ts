import { describe, expect, it } from 'vitest';
import { historySentence, type HistoryEntry } from './historySentence';

const entry = (type: string, data: unknown, actor: unknown = { userId: 'pat', email: 'pat@acme.example', role: 'PARTNER_ADMIN' }) =>
  ({ eventId: 'e1', type, customerId: 'acme', occurredAt: '2026-12-07T10:00:00Z', actor, data }) as unknown as HistoryEntry;

describe('historySentence', () => {
  it('says who did what, with the reason, without codes', () => {
    expect(historySentence(entry('CUSTOMER_STATUS_CHANGED', { from: 'ACTIVE', to: 'DISABLED', reason: 'unpaid invoice' })))
      .toBe('pat@acme.example (partner admin) disabled the customer: unpaid invoice.');
    expect(historySentence(entry('CUSTOMER_STATUS_CHANGED', { from: 'DISABLED', to: 'ACTIVE', reason: null })))
      .toBe('pat@acme.example (partner admin) enabled the customer.');
  });
  it('names roles, quotas and invitees in words', () => {
    expect(historySentence(entry('USER_INVITED', { invitationId: 'i', email: 'sam@shop.example', role: 'CUSTOMER_ADMIN', expiresAt: '', version: 1, customerDisplayName: 'Shop' })))
      .toBe('pat@acme.example (partner admin) invited sam@shop.example as customer admin.');
    expect(historySentence(entry('CUSTOMER_QUOTA_EDITED', { from: 5, to: 10 })))
      .toBe('pat@acme.example (partner admin) changed the project quota from 5 to 10.');
    expect(historySentence(entry('USER_ASSIGNED_HIMSELF', { userId: 'pat', role: 'CUSTOMER_ADMIN', reason: 'setting up' })))
      .toBe('pat@acme.example (partner admin) added themselves as customer admin: setting up.');
  });
  it('says the system and a user without an address', () => {
    expect(historySentence(entry('USER_REMOVED', { userId: 'u-7', email: null, reason: 'EXPIRED' }, { userId: 'system', email: null, role: 'SYSTEM' })))
      .toBe('The system removed u-7: the membership had ended.');
    expect(historySentence(entry('CUSTOMER_REGISTERED', { displayName: 'Shop', status: 'PENDING_APPROVAL', managingPartnerId: 'acme', projectQuota: 5, tags: {} }, { userId: 'rita', email: null, role: 'USER' })))
      .toBe('rita (user) registered the customer “Shop” (pending approval).');
  });
  it('says a membership end set, cleared and warned of', () => {
    const admin = { userId: 'ada', email: 'ada@shop.example', role: 'CUSTOMER_ADMIN' };
    expect(historySentence(entry('MEMBERSHIP_EXPIRY_CHANGED', { userId: 'bob', from: null, to: '2026-12-10T09:00:00.000Z' }, admin)))
      .toMatch(/^ada@shop\.example \(customer admin\) set the membership of bob to end .*2026.*\.$/);
    expect(historySentence(entry('MEMBERSHIP_EXPIRY_CHANGED', { userId: 'bob', from: '2026-12-10T09:00:00.000Z', to: null }, admin)))
      .toBe('ada@shop.example (customer admin) made the membership of bob permanent.');
    const system = { userId: 'system', email: null, role: 'SYSTEM' };
    expect(historySentence(entry('MEMBERSHIP_EXPIRING', { userId: 'bob', email: 'bob@shop.example', role: 'CUSTOMER_EMPLOYEE', expiresAt: '2026-12-10T09:00:00.000Z' }, system)))
      .toMatch(/^The system warned bob@shop\.example \(customer employee\) that the membership ends .*2026.*\.$/);
  });
  it('says an access review and what it removed', () => {
    const admin = { userId: 'ada', email: 'ada@shop.example', role: 'CUSTOMER_ADMIN' };
    expect(historySentence(entry('ACCESS_REVIEWED', { reviewId: 'r1', kept: ['ada', 'bob'], removed: ['eve'], note: 'quarterly' }, admin)))
      .toBe('ada@shop.example (customer admin) reviewed who has access: kept 2 members and removed 1 member: “quarterly”.');
    expect(historySentence(entry('ACCESS_REVIEWED', { reviewId: 'r2', kept: ['ada'], removed: [], note: null }, admin)))
      .toBe('ada@shop.example (customer admin) reviewed who has access: kept 1 member and removed none.');
    expect(historySentence(entry('USER_REMOVED', { userId: 'eve', email: 'eve@shop.example', role: 'CUSTOMER_EMPLOYEE', reason: 'ACCESS_REVIEW' }, admin)))
      .toBe('ada@shop.example (customer admin) removed eve@shop.example (customer employee) in an access review.');
  });
  it('says a rejection with its reason, and the system when it expired a registration', () => {
    expect(historySentence(entry('CUSTOMER_REJECTED', { reason: 'unknown company', displayName: 'Shop', managingPartnerId: 'acme' })))
      .toBe('pat@acme.example (partner admin) rejected the registration of “Shop”: unknown company.');
    expect(historySentence(entry('CUSTOMER_REJECTED', { reason: 'pending for 30 days', displayName: 'Shop', managingPartnerId: 'acme' }, { userId: 'system', email: null, role: 'SYSTEM' })))
      .toBe('The system rejected the registration of “Shop”: pending for 30 days.');
  });
  it('lists tag changes by key with before and after', () => {
    expect(historySentence(entry('CUSTOMER_TAGS_EDITED', { changes: { costCenter: { from: null, to: ['42'] } } })))
      .toBe('pat@acme.example (partner admin) changed the tags: costCenter from nothing to 42.');
  });
  it('names the API key a program acted with, and the keys made and revoked', () => {
    const program = { userId: 'apikey:019bc194-99a0-7e55-8f60-718293a4b5c1', email: null, role: 'CUSTOMER_ADMIN', apiKeyId: '019bc194-99a0-7e55-8f60-718293a4b5c1', apiKeyName: 'deploy-bot' };
    expect(historySentence(entry('PROJECT_CREATED', { projectId: 'web', displayName: 'Web' }, program)))
      .toBe('A program with the API key “deploy-bot” (customer admin) created the project “Web” (web).');
    expect(historySentence(entry('API_KEY_CREATED', { keyId: 'k', name: 'ci', role: 'CUSTOMER_EMPLOYEE', customerId: 'acme', expiresAt: null })))
      .toBe('pat@acme.example (partner admin) created the API key “ci” (customer employee, without expiry).');
    expect(historySentence(entry('API_KEY_REVOKED', { keyId: 'k', name: 'ci' })))
      .toBe('pat@acme.example (partner admin) revoked the API key “ci”.');
  });
});
