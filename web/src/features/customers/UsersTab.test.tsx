import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { exampleCustomer, fakeApi, page, problem, renderPage, type Answer } from '../../testing/render';
import { minuteTime } from '../../shared/time';
import { UsersTab } from './UsersTab';

const member = { customerId: 'globex', userId: 'u-sam', email: 'sam@globex.example', name: 'Sam', role: 'CUSTOMER_ADMIN', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'REGISTRATION', version: 1 };
const invitation = { id: 'i-1', customerId: 'globex', email: 'new@globex.example', role: 'CUSTOMER_EMPLOYEE', status: 'PENDING', invitedBy: 'u-sam', createdAt: '2026-01-16T10:30:00Z', expiresAt: '2099-01-23T10:30:00Z', version: 1 };
const mine = { customerId: 'globex', displayName: 'Globex', status: 'ACTIVE', role: 'CUSTOMER_ADMIN', joinedAt: '2026-12-07T00:00:00Z', joinedVia: 'SELF_ASSIGNMENT' };
const HOUR = 3600_000;

/** The reads of the tab, once. */
const reads = (members: unknown[] = [member], myCustomers: unknown[] = []): [string, Answer][] => [
  ['GET /customers/globex/users', page(members)],
  ['GET /customers/globex/invitations', page([invitation])],
  ['GET /me/customers', page(myCustomers)],
];

const openAddMyself = async () => {
  await userEvent.click(await screen.findByRole('button', { name: 'Add Myself' }));
  return screen.findByRole('dialog');
};

describe('UsersTab (admin area)', () => {
  it('shows members and pending invitations, and adds the caller after a confirmation, ending in 8 hours by default', async () => {
    const before = Date.now();
    const joined = { ...member, userId: 'u-pat', role: 'CUSTOMER_ADMIN', joinedVia: 'SELF_ASSIGNMENT', expiresAt: new Date(before + 8 * HOUR - 30_000).toISOString() };
    const { api, writes } = fakeApi([
      ...reads(),
      ['POST /customers/globex/users/me', { status: 201, body: joined }],
      ...reads([member, joined], [mine]),
    ]);
    renderPage(<UsersTab customer={exampleCustomer} />, { api });
    expect(await screen.findByText('sam@globex.example')).toBeTruthy();
    expect(await screen.findByText('new@globex.example')).toBeTruthy();
    expect(screen.getByText('Pending')).toBeTruthy();

    const dialog = await openAddMyself();
    // The end is there before anything is chosen: 8 hours from now, and it can be changed.
    expect(within(dialog).getByRole('radio', { name: /At a day and time/ })).toHaveProperty('checked', true);
    expect(within(dialog).getByText(/Set to 8 hours from now/)).toBeTruthy();
    await userEvent.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'setting up projects');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add Myself' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    const sent = writes()[0]!.body as { reason: string; expiresAt: string };
    expect(sent.reason).toBe('setting up projects');
    const end = Date.parse(sent.expiresAt);
    expect(end).toBeLessThanOrEqual(Date.now() + 8 * HOUR);
    expect(end).toBeGreaterThan(before + 8 * HOUR - 2 * 60_000);
    expect(await screen.findByText(/You were added to globex as customer admin\. Your membership ends in 8 hours/)).toBeTruthy();
    // Once a member, Add Myself is off and says why.
    await waitFor(() => expect(screen.getByRole('button', { name: 'Add Myself' }).getAttribute('aria-disabled')).toBe('true'));
    expect(screen.getAllByText('You are a member of globex already (customer admin).').length).toBeGreaterThan(0);
  });

  it('sends no end when "No end" is chosen', async () => {
    const { api, writes } = fakeApi([
      ...reads(),
      ['POST /customers/globex/users/me', { status: 201, body: { ...member, userId: 'u-pat', joinedVia: 'SELF_ASSIGNMENT' } }],
      ...reads(),
    ]);
    renderPage(<UsersTab customer={exampleCustomer} />, { api });
    const dialog = await openAddMyself();
    await userEvent.click(within(dialog).getByRole('radio', { name: /No end/ }));
    expect(within(dialog).queryByRole('textbox', { name: /End date/ })).toBeNull();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add Myself' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]!.body).toEqual({});
  });

  it("says the installation's limit in words when the API refuses a later end, and offers the latest end it allows", async () => {
    const { api, writes } = fakeApi([
      ...reads(),
      ['POST /customers/globex/users/me', problem(400, 'validation-failed', { errors: { expiresAt: 'must be at most 4 hours ahead (SELF_ASSIGN_MAX_HOURS)' } })],
      ['POST /customers/globex/users/me', { status: 201, body: { ...member, userId: 'u-pat', joinedVia: 'SELF_ASSIGNMENT', expiresAt: new Date(Date.now() + 4 * HOUR - 60_000).toISOString() } }],
      ...reads(),
      ...reads(),
    ]);
    renderPage(<UsersTab customer={exampleCustomer} />, { api });
    const dialog = await openAddMyself();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add Myself' }));
    expect(await within(dialog).findByText(/Your installation lets partners stay at most 4 hours/)).toBeTruthy();
    // What "No end" means there is said too.
    expect(within(dialog).getByText(/ends a partner's membership after 4 hours/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Use the latest end allowed' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add Myself' }));
    await waitFor(() => expect(writes()).toHaveLength(2));
    const end = Date.parse((writes()[1]!.body as { expiresAt: string }).expiresAt);
    expect(end).toBeLessThanOrEqual(Date.now() + 4 * HOUR);
    expect(end).toBeGreaterThan(Date.now() + 4 * HOUR - 2 * 60_000);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it("shows when a member's membership ends, and lets a caller who is a customer admin of it clear it", async () => {
    const ends = new Date(Date.now() + 2 * 24 * HOUR + HOUR).toISOString();
    const dana = { ...member, userId: 'u-dana', email: 'dana@globex.example', name: 'Dana', role: 'CUSTOMER_EMPLOYEE', expiresAt: ends, version: 4 };
    const { api, writes } = fakeApi([
      ...reads([member, dana], [mine]),
      ['PUT /customers/globex/users/u-dana/expiry', { status: 200, body: { ...dana, expiresAt: undefined, version: 5 } }],
      ...reads([member, { ...dana, expiresAt: undefined, version: 5 }], [mine]),
    ]);
    renderPage(<UsersTab customer={exampleCustomer} />, { api });
    const table = await screen.findByRole('table', { name: 'Members of Globex' });
    expect(await within(table).findByText('Ends in 2 days')).toBeTruthy();
    expect(within(table).getByText(minuteTime(ends))).toBeTruthy();
    expect(within(table).getByText('No end')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Actions for Dana' }));
    await userEvent.click(within(screen.getByRole('menu')).getByText('Change end…'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/ends in 2 days/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('radio', { name: 'Does not end' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save end' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]!.body).toEqual({ expiresAt: null });
    expect(writes()[0]!.headers.get('if-match')).toBe('"4"');
    expect(await screen.findByText('The membership of Dana no longer ends.')).toBeTruthy();
    await waitFor(() => expect(within(table).getAllByText('No end')).toHaveLength(2));
  });

  it('offers no end changes to a caller who is no customer admin of it', async () => {
    const { api } = fakeApi([...reads()]);
    renderPage(<UsersTab customer={exampleCustomer} />, { api });
    await screen.findByText('sam@globex.example');
    expect(screen.queryByRole('button', { name: 'Actions for Sam' })).toBeNull();
  });
});
