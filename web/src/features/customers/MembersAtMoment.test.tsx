import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { exampleCustomer, fakeApi, page, renderPage } from '../../testing/render';
import { MembersAtMoment, momentInputOf, momentOf, momentProblem } from './MembersAtMoment';

const member = { customerId: 'globex', userId: 'u-sam', email: 'sam@globex.example', name: 'Sam', role: 'CUSTOMER_ADMIN', joinedAt: '2026-01-15T10:30:00Z', joinedVia: 'REGISTRATION', version: 1 };
const gone = { ...member, userId: 'u-dana', email: 'dana@globex.example', name: 'Dana', role: 'CUSTOMER_EMPLOYEE', joinedVia: 'INVITATION' };
const pad = (n: number) => String(n).padStart(2, '0');

describe('History → Members on…', () => {
  it('reads nothing until asked, then the members at the moment (local time, to the second), people removed since marked', async () => {
    const { api, seen, writes } = fakeApi([
      ['GET /customers/globex/users', page([member, gone])],
      ['GET /customers/globex/users', page([member])],
    ]);
    renderPage(<MembersAtMoment customer={exampleCustomer} />, { api });
    const day = screen.getByPlaceholderText('YYYY/MM/DD');
    const time = screen.getByPlaceholderText('hh:mm:ss');
    expect(seen).toEqual([]);
    await userEvent.clear(day);
    await userEvent.type(day, '2026/03/01');
    await userEvent.clear(time);
    await userEvent.type(time, '143005');
    await userEvent.click(screen.getByRole('button', { name: 'Show members' }));
    const table = await screen.findByRole('table', { name: 'Members of Globex at the chosen moment' });
    expect(await within(table).findByText('Dana')).toBeTruthy();
    const at = new Date(2026, 2, 1, 14, 30, 5).toISOString();
    const asked = seen.find((r) => r.path.includes('at='))!;
    expect(new URL(`http://x${asked.path}`).searchParams.get('at')).toBe(at);
    expect(asked.path).not.toContain('limit');
    await waitFor(() => expect(within(table).getByText('Removed since')).toBeTruthy());
    expect(within(table).getByText('Member')).toBeTruthy();
    expect(within(table).getByText('Role then')).toBeTruthy();
    expect(screen.getByText(/The members of Globex on .*as the history records them: 2\./)).toBeTruthy();
    expect(writes()).toEqual([]);
  });

  it('refuses a moment in the future before asking', async () => {
    const { api, seen } = fakeApi([]);
    renderPage(<MembersAtMoment customer={exampleCustomer} />, { api });
    const next = new Date(Date.now() + 2 * 24 * 3600_000);
    const day = screen.getByPlaceholderText('YYYY/MM/DD');
    await userEvent.clear(day);
    await userEvent.type(day, `${next.getFullYear()}/${pad(next.getMonth() + 1)}/${pad(next.getDate())}`);
    await userEvent.click(screen.getByRole('button', { name: 'Show members' }));
    expect(await screen.findByText(/Choose a moment in the past/)).toBeTruthy();
    expect(seen).toEqual([]);
  });

  it('reads a day and a time as a local moment, and checks them', () => {
    const moment = new Date(2026, 11, 7, 9, 5, 7);
    expect(momentInputOf(moment)).toEqual({ date: '2026-12-07', time: '09:05:07' });
    expect(momentOf({ date: '2026-12-07', time: '09:05' })?.getTime()).toBe(new Date(2026, 11, 7, 9, 5, 0).getTime());
    expect(momentOf({ date: '2027-02-30', time: '09:05:00' })).toBeNull();
    expect(momentProblem({ date: '', time: '' })).toBe('Choose a day.');
    expect(momentProblem({ date: '2026-12-07', time: '25:00:00' })).toMatch(/that exist/);
    expect(momentProblem({ date: '2026-12-07', time: '09:05:07' }, new Date(2026, 11, 8))).toBeNull();
  });
});
