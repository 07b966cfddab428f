import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Outlet, Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { customerUser, exampleCustomer, fakeApi, page, problem, renderPage } from '../../testing/render';
import type { CustomerContext } from '../../shared/customerContext';
import { minuteTime } from '../../shared/time';
import { UsersPage } from './UsersPage';

const sam = { customerId: 'globex', userId: 'u-sam', email: 'sam@shop.example', name: 'Sam', role: 'CUSTOMER_ADMIN', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'REGISTRATION', version: 1 };
const dana = { ...sam, userId: 'u-dana', email: 'dana@shop.example', name: 'Dana', role: 'CUSTOMER_EMPLOYEE', joinedVia: 'INVITATION', version: 2 };
const invitation = { id: 'i-1', customerId: 'globex', email: 'new@shop.example', role: 'CUSTOMER_EMPLOYEE', status: 'PENDING', invitedBy: 'u-sam', createdAt: '2026-01-16T10:30:00Z', expiresAt: '2099-01-23T10:30:00Z', version: 1 };

function InCustomer() {
  const context: CustomerContext = { customer: exampleCustomer, etag: '"3"', role: 'CUSTOMER_ADMIN' };
  return (
    <Routes>
      <Route element={<Outlet context={context} />}>
        <Route path="*" element={<UsersPage />} />
      </Route>
    </Routes>
  );
}

const open = async (name: string, item: string) => {
  await userEvent.click(await screen.findByRole('button', { name }));
  await userEvent.click(within(screen.getByRole('menu')).getByText(item));
  return screen.findByRole('dialog');
};

describe('UsersPage (customer view)', () => {
  it('removes a member only after a confirmation that says what happens, and says a refusal in words', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers/globex/users', page([sam, dana])],
      ['GET /customers/globex/invitations', page([invitation])],
      ['DELETE /customers/globex/users/u-dana', problem(409, 'last-admin')],
    ]);
    renderPage(<InCustomer />, { api, path: '/my/customers/globex/users', user: customerUser });
    const dialog = await open('Actions for Dana', 'Remove…');
    expect(within(dialog).getByText(/Dana loses access to Globex at once/)).toBeTruthy();
    expect(writes()).toEqual([]);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove Dana' }));
    expect(await within(dialog).findByText(/This is the last customer admin/)).toBeTruthy();
    expect(writes()[0]!.headers.get('if-match')).toBe('"2"');
  });

  it('cancels an invitation only after a confirmation', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers/globex/users', page([sam])],
      ['GET /customers/globex/invitations', page([invitation])],
      ['DELETE /customers/globex/invitations/i-1', { status: 204 }],
      ['GET /customers/globex/users', page([sam])],
      ['GET /customers/globex/invitations', page([{ ...invitation, status: 'CANCELLED', version: 2 }])],
    ]);
    renderPage(<InCustomer />, { api, path: '/my/customers/globex/users', user: customerUser });
    const dialog = await open('Actions for the invitation of new@shop.example', 'Cancel invitation…');
    expect(within(dialog).getByText(/stops working/)).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Keep the invitation' }));
    expect(writes()).toEqual([]);
    const again = await open('Actions for the invitation of new@shop.example', 'Cancel invitation…');
    await userEvent.click(within(again).getByRole('button', { name: 'Cancel invitation' }));
    await waitFor(() => expect(writes()).toHaveLength(1));
    expect(await screen.findByText('The invitation of new@shop.example was cancelled.')).toBeTruthy();
    expect(await screen.findByText('Cancelled')).toBeTruthy();
  });

  describe('when a membership ends', () => {
    const DAY = 24 * 3600_000;
    const pad = (n: number) => String(n).padStart(2, '0');
    /** A day `days` ahead as the date picker is typed (YYYY/MM/DD), and its local 23:59 in UTC. */
    const dayAhead = (days: number) => {
      const d = new Date(Date.now() + days * DAY);
      return { typed: `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())}`, end: new Date(d.getFullYear(), d.getMonth(), d.getDate(), 23, 59).toISOString() };
    };
    const endingDana = { ...dana, expiresAt: new Date(Date.now() + 2 * DAY + 3600_000).toISOString() };

    it('shows it in the list, and moves it with If-Match; a 412 shows what is stored and applies the change again', async () => {
      const moved = dayAhead(10);
      const changedMeanwhile = { ...endingDana, expiresAt: new Date(Date.now() + 5 * DAY).toISOString(), version: 3 };
      const { api, writes } = fakeApi([
        ['GET /customers/globex/users', page([sam, endingDana])],
        ['GET /customers/globex/invitations', page([invitation])],
        ['PUT /customers/globex/users/u-dana/expiry', { status: 412, body: { type: 'precondition-failed', title: 'Precondition failed', status: 412, detail: '' }, headers: { etag: '"3"' } }],
        ['GET /customers/globex/users', page([sam, changedMeanwhile])],
        ['GET /customers/globex/invitations', page([invitation])],
        ['PUT /customers/globex/users/u-dana/expiry', { status: 200, body: { ...changedMeanwhile, expiresAt: moved.end, version: 4 } }],
        ['GET /customers/globex/users', page([sam, { ...changedMeanwhile, expiresAt: moved.end, version: 4 }])],
        ['GET /customers/globex/invitations', page([invitation])],
      ]);
      renderPage(<InCustomer />, { api, path: '/my/customers/globex/users', user: customerUser });
      const table = await screen.findByRole('table', { name: 'Members of Globex' });
      expect(await within(table).findByText('Ends in 2 days')).toBeTruthy();
      expect(within(table).getByText(minuteTime(endingDana.expiresAt))).toBeTruthy();

      const dialog = await open('Actions for Dana', 'Change end…');
      // The stored end is what the form starts with; unchanged, there is nothing to save.
      expect(within(dialog).getByRole('button', { name: 'Save end' }).getAttribute('aria-disabled')).toBe('true');
      const date = within(dialog).getByPlaceholderText('YYYY/MM/DD');
      await userEvent.clear(date);
      await userEvent.type(date, moved.typed);
      const time = within(dialog).getByPlaceholderText('hh:mm');
      await userEvent.clear(time);
      await userEvent.type(time, '2359');
      await userEvent.click(within(dialog).getByRole('button', { name: 'Save end' }));
      expect(await within(dialog).findByText(/Someone else changed this in the meantime/)).toBeTruthy();
      expect(writes()[0]!.body).toEqual({ expiresAt: moved.end });
      expect(writes()[0]!.headers.get('if-match')).toBe('"2"');
      // The member read again: what is stored now beside the change.
      expect(await within(dialog).findByText(/Now stored: ends in 5 days/)).toBeTruthy();
      await userEvent.click(within(dialog).getByRole('button', { name: 'Apply my change again' }));
      await waitFor(() => expect(writes()).toHaveLength(2));
      expect(writes()[1]!.headers.get('if-match')).toBe('"3"');
      expect(writes()[1]!.body).toEqual({ expiresAt: moved.end });
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      // 23:59 on the 10th day from now: 10 or 11 days away, by the time of day.
      const told = await screen.findByText(/^The membership of Dana ends in 1[01] days/);
      expect(told.textContent).toContain(`(${minuteTime(moved.end)}).`);
    });

    it('says the last admin that stays in words', async () => {
      const { api, writes } = fakeApi([
        ['GET /customers/globex/users', page([sam, dana])],
        ['GET /customers/globex/invitations', page([invitation])],
        ['PUT /customers/globex/users/u-sam/expiry', problem(409, 'last-admin')],
        ['GET /customers/globex/users', page([sam, dana])],
        ['GET /customers/globex/invitations', page([invitation])],
      ]);
      renderPage(<InCustomer />, { api, path: '/my/customers/globex/users', user: customerUser });
      const dialog = await open('Actions for Sam', 'Set an end…');
      expect(within(dialog).getByRole('heading', { name: 'When your membership ends' })).toBeTruthy();
      expect(within(dialog).getByText(/A customer always keeps a customer admin whose membership does not end/)).toBeTruthy();
      await userEvent.click(within(dialog).getByRole('radio', { name: /At a day and time/ }));
      // No day yet: said, and nothing sent.
      await userEvent.click(within(dialog).getByRole('button', { name: 'Save end' }));
      expect(await within(dialog).findByText('Choose the day the membership ends.')).toBeTruthy();
      expect(writes()).toEqual([]);
      await userEvent.type(within(dialog).getByPlaceholderText('YYYY/MM/DD'), dayAhead(3).typed);
      await userEvent.click(within(dialog).getByRole('button', { name: 'Save end' }));
      expect((await within(dialog).findAllByText(/This is the last customer admin whose membership does not end/)).length).toBeGreaterThan(0);
      expect(writes()[0]!.body).toEqual({ expiresAt: dayAhead(3).end });
    });

    it('invites with a membership end, and without one sends none', async () => {
      const day = dayAhead(30);
      const { api, writes } = fakeApi([
        ['GET /customers/globex/users', page([sam])],
        ['GET /customers/globex/invitations', page([])],
        ['POST /customers/globex/invitations', { status: 201, body: { ...invitation, membershipExpiresAt: day.end } }],
        ['GET /customers/globex/users', page([sam])],
        ['GET /customers/globex/invitations', page([{ ...invitation, membershipExpiresAt: day.end }])],
        ['POST /customers/globex/invitations', { status: 201, body: { ...invitation, id: 'i-2', email: 'two@shop.example' } }],
        ['GET /customers/globex/users', page([sam])],
        ['GET /customers/globex/invitations', page([{ ...invitation, membershipExpiresAt: day.end }])],
      ]);
      renderPage(<InCustomer />, { api, path: '/my/customers/globex/users', user: customerUser });
      const form = await screen.findByRole('form', { name: 'Invite a user' });
      await userEvent.type(within(form).getByRole('textbox', { name: 'E-mail address' }), 'new@shop.example');
      await userEvent.click(within(form).getByRole('radio', { name: /At a day and time/ }));
      await userEvent.type(within(form).getByPlaceholderText('YYYY/MM/DD'), day.typed);
      await userEvent.click(within(form).getByRole('button', { name: 'Invite' }));
      await waitFor(() => expect(writes()).toHaveLength(1));
      expect(writes()[0]!.body).toEqual({ email: 'new@shop.example', role: 'CUSTOMER_EMPLOYEE', membershipExpiresAt: day.end });
      // The invitation shows the end its membership gets; the form is empty again, without an end.
      const invitations = await screen.findByRole('table', { name: 'Invitations' });
      await within(invitations).findByText(/^Ends in 3[01] days$/);
      expect(within(form).getByRole('radio', { name: 'No end' })).toHaveProperty('checked', true);
      await userEvent.type(within(form).getByRole('textbox', { name: 'E-mail address' }), 'two@shop.example');
      await userEvent.click(within(form).getByRole('button', { name: 'Invite' }));
      await waitFor(() => expect(writes()).toHaveLength(2));
      expect(writes()[1]!.body).toEqual({ email: 'two@shop.example', role: 'CUSTOMER_EMPLOYEE' });
    });
  });
});
