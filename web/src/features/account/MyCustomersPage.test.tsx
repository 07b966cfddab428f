import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { minuteTime } from '../../shared/time';
import { customerUser, fakeApi, page, renderPage } from '../../testing/render';
import { MyCustomersPage } from './MyCustomersPage';

const mine = { customerId: 'globex', displayName: 'Globex', status: 'ACTIVE', role: 'CUSTOMER_EMPLOYEE', joinedAt: '2026-12-01T00:00:00Z', joinedVia: 'INVITATION' };

describe('My customers', () => {
  it("shows when the caller's own membership ends, with the exact time, and 'No end' otherwise", async () => {
    const ends = new Date(Date.now() + 2 * 24 * 3600_000 + 3600_000).toISOString();
    const { api } = fakeApi([['GET /me/customers', page([{ ...mine, expiresAt: ends }, { ...mine, customerId: 'initech', displayName: 'Initech' }])]]);
    renderPage(<MyCustomersPage />, { api, user: customerUser });
    const globex = (await screen.findByText('Globex (globex)')).closest('tr')!;
    expect(within(globex).getByText('Ends in 2 days')).toBeTruthy();
    expect(within(globex).getByText(minuteTime(ends))).toBeTruthy();
    const initech = screen.getByText('Initech (initech)').closest('tr')!;
    expect(within(initech).getByText('No end')).toBeTruthy();
    expect(screen.getByText('Your membership ends')).toBeTruthy();
  });
});
