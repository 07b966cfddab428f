import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Outlet, Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import type { CustomerContext } from '../../shared/customerContext';
import { customerUser, exampleCustomer, fakeApi, page, problem, renderPage, type Answer } from '../../testing/render';
import { AccessReviewPage } from './AccessReviewPage';

const base = { joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'INVITATION', addedBy: 'u-sam', lastRoleChangeAt: null, expiresAt: null, lastReviewedAt: null };
const sam = { ...base, userId: 'u-sam', email: 'sam@shop.example', name: 'Sam', role: 'CUSTOMER_ADMIN', joinedVia: 'REGISTRATION' };
const dana = { ...base, userId: 'u-dana', email: 'dana@shop.example', name: 'Dana', role: 'CUSTOMER_EMPLOYEE' };
const eve = { ...base, userId: 'u-eve', email: 'eve@shop.example', name: 'Eve', role: 'CUSTOMER_EMPLOYEE', lastReviewedAt: '2026-06-01T10:00:00Z' };

const exported = (members: unknown[]): Answer => ({
  status: 200,
  body: { customerId: 'globex', generatedAt: '2026-12-07T10:00:00Z', members, serviceUsers: [], apiKeys: [], lastReview: null },
});
const pastReview = { reviewId: 'r-1', customerId: 'globex', reviewedAt: '2026-06-01T10:00:00Z', reviewedBy: 'u-sam', kept: ['u-sam', 'u-eve'], removed: ['u-gone'], note: 'Half-year review' };

function InCustomer({ role = 'CUSTOMER_ADMIN' }: { role?: CustomerContext['role'] }) {
  const context: CustomerContext = { customer: exampleCustomer, etag: '"3"', role };
  return (
    <Routes>
      <Route element={<Outlet context={context} />}>
        <Route path="*" element={<AccessReviewPage />} />
      </Route>
    </Routes>
  );
}

const show = (api: ReturnType<typeof fakeApi>['api'], role?: CustomerContext['role']) =>
  renderPage(<InCustomer role={role} />, { api, path: '/my/customers/globex/access-review', user: customerUser });

describe('AccessReviewPage (Account → Access review)', () => {
  it('keeps everyone by default, removes a member only after one confirmation naming them, and shows the result and the past reviews', async () => {
    const made = { ...pastReview, reviewId: 'r-2', reviewedAt: new Date().toISOString(), kept: ['u-sam', 'u-eve'], removed: ['u-dana'], note: 'Dana left' };
    const { api, seen, writes } = fakeApi([
      ['GET /customers/globex/access-review', exported([sam, dana, eve])],
      ['GET /customers/globex/access-reviews', page([pastReview])],
      ['POST /customers/globex/access-reviews', { status: 201, body: made }],
      ['GET /customers/globex/access-review', exported([sam, eve])],
      ['GET /customers/globex/access-reviews', page([made, pastReview])],
    ]);
    show(api);
    const table = await screen.findByRole('table', { name: 'Members of Globex to review' });
    expect(await within(table).findByText('Dana')).toBeTruthy();
    expect(within(table).getByText('Sam (you)')).toBeTruthy();
    // The past review: who, counts, the removed (by id when unknown), the note.
    const past = screen.getByRole('table', { name: 'Access reviews of Globex' });
    expect(await within(past).findByText('Half-year review')).toBeTruthy();
    expect(within(past).getByText('1: u-gone')).toBeTruthy();
    expect(within(past).getByText('you')).toBeTruthy();
    // Opening the page reads only; the export is read as JSON.
    expect(writes()).toEqual([]);
    expect(seen[0]!.headers.get('accept')).toContain('application/json');
    for (const box of within(table).getAllByRole('checkbox')) expect(box).toHaveProperty('checked', false);

    await userEvent.click(within(table).getByRole('checkbox', { name: 'Remove Dana' }));
    await userEvent.type(screen.getByRole('textbox', { name: /Note/ }), 'Dana left');
    await userEvent.click(screen.getByRole('button', { name: 'Submit review' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Remove 1 member from Globex?')).toBeTruthy();
    expect(within(dialog).getByText(/1 member loses access to Globex at once/)).toBeTruthy();
    expect(within(dialog).getByText(/Dana \(dana@shop\.example\)/)).toBeTruthy();
    expect(within(dialog).getByText(/The other 2 members are kept/)).toBeTruthy();
    expect(writes()).toEqual([]);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove 1 member and record the review' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]!.body).toEqual({
      decisions: [{ userId: 'u-sam', decision: 'KEEP' }, { userId: 'u-dana', decision: 'REMOVE' }, { userId: 'u-eve', decision: 'KEEP' }],
      note: 'Dana left',
    });
    expect(await screen.findByText(/2 members kept, 1 member removed: Dana\./)).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // Dana's name stays known in the list of reviews, though she is no member any more.
    expect(await within(past).findByText('1: Dana')).toBeTruthy();
  });

  it('says the last admin rule in the modal, which stays open', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers/globex/access-review', exported([sam, dana])],
      ['GET /customers/globex/access-reviews', page([])],
      ['POST /customers/globex/access-reviews', problem(409, 'last-admin')],
    ]);
    show(api);
    const table = await screen.findByRole('table', { name: 'Members of Globex to review' });
    await userEvent.click(await within(table).findByRole('checkbox', { name: 'Remove Sam (you)' }));
    await userEvent.click(screen.getByRole('button', { name: 'Submit review' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: /Remove 1 member/ }));
    expect(await within(dialog).findByText(/This is the last customer admin whose membership does not end/)).toBeTruthy();
    expect(writes()).toHaveLength(1);
  });

  it('records a review that keeps everyone, with no note sent as null', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers/globex/access-review', exported([sam, dana])],
      ['GET /customers/globex/access-reviews', page([])],
      ['POST /customers/globex/access-reviews', { status: 201, body: { ...pastReview, kept: ['u-sam', 'u-dana'], removed: [], note: null } }],
      ['GET /customers/globex/access-review', exported([sam, dana])],
      ['GET /customers/globex/access-reviews', page([])],
    ]);
    show(api);
    await screen.findByRole('checkbox', { name: 'Remove Dana' });
    await userEvent.click(screen.getByRole('button', { name: 'Submit review' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/No one is removed: the review records that all 2 members keep their access/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Record the review' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(writes()[0]!.body).toEqual({ decisions: [{ userId: 'u-sam', decision: 'KEEP' }, { userId: 'u-dana', decision: 'KEEP' }], note: null });
    expect(await screen.findByText(/2 members kept, no one removed/)).toBeTruthy();
  });

  it('offers to reload when a member left or joined meanwhile, and decides on the members read again', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers/globex/access-review', exported([sam, dana, eve])],
      ['GET /customers/globex/access-reviews', page([])],
      ['POST /customers/globex/access-reviews', problem(400, 'validation-failed', { errors: { 'decisions[1].userId': '"u-dana" is not a member of the customer' } })],
      ['GET /customers/globex/access-review', exported([sam, eve])],
    ]);
    show(api);
    const table = await screen.findByRole('table', { name: 'Members of Globex to review' });
    await userEvent.click(await within(table).findByRole('checkbox', { name: 'Remove Dana' }));
    await userEvent.click(screen.getByRole('button', { name: 'Submit review' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: /Remove 1 member/ }));
    expect(await screen.findByText('The members changed since you read them')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await userEvent.click(screen.getByRole('button', { name: 'Reload the members' }));
    await waitFor(() => expect(within(table).queryByText('Dana')).toBeNull());
    expect(screen.queryByText('The members changed since you read them')).toBeNull();
    // Reloading asks nothing and sends nothing.
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(writes()).toHaveLength(1);
  });

  it('refuses more than 20 removals before asking, and a note over several lines', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ ...dana, userId: `u-${i}`, name: `Member ${i}`, email: `m${i}@shop.example` }));
    const { api, writes } = fakeApi([
      ['GET /customers/globex/access-review', exported([sam, ...many])],
      ['GET /customers/globex/access-reviews', page([])],
    ]);
    show(api);
    const table = await screen.findByRole('table', { name: 'Members of Globex to review' });
    await within(table).findByText('Member 20');
    for (let i = 0; i < 21; i += 1) await userEvent.click(within(table).getByRole('checkbox', { name: `Remove Member ${i}` }));
    await userEvent.click(screen.getByRole('button', { name: 'Submit review' }));
    expect(await screen.findByText(/At most 20 members can be removed in one review; 21 are chosen/)).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(writes()).toEqual([]);
  }, 20_000);

  it('tells a customer employee that reviews are for admins, and reads nothing', async () => {
    const { api, seen } = fakeApi([]);
    show(api, 'CUSTOMER_EMPLOYEE');
    expect(await screen.findByText('Access reviews are for customer admins')).toBeTruthy();
    expect(seen).toEqual([]);
  });
});
