import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { exampleCustomer, fakeApi, inCustomer, problem, renderWithApi } from '../testing/render';
import { CustomersPage } from './CustomersPage';
import { SendMessageForm } from './MessagesSection';
import { QuotaSection } from './QuotaSection';
import { StatusSection } from './StatusSection';
import { HistorySection, dayStart } from './HistorySection';
import { messageTextProblem } from './message';

describe('message form', () => {
  it('refuses an empty message and one longer than 2000 characters without sending', async () => {
    const { api, seen } = fakeApi([]);
    renderWithApi(<SendMessageForm customerId="globex" onSent={() => {}} />, api);
    await userEvent.click(screen.getByRole('button', { name: 'Send message' }));
    expect(screen.getByText('Write a message.')).toBeTruthy();

    const text = screen.getByRole('textbox', { name: 'Message' });
    await userEvent.click(text);
    await userEvent.paste('x'.repeat(2001));
    expect(screen.getByText('At most 2000 characters: remove 1.')).toBeTruthy();
    expect(text.getAttribute('aria-invalid')).toBe('true');
    expect(seen).toHaveLength(0);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(messageTextProblem('😀'.repeat(2000))).toBeNull();
    expect(messageTextProblem('   ')).toBe('Write a message.');
  });

  it('sends the text with the chosen mode', async () => {
    const onSent = vi.fn();
    const { api, seen } = fakeApi([{ status: 201, body: {} }]);
    renderWithApi(<SendMessageForm customerId="globex" onSent={onSent} />, api);
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'Maintenance on Saturday');
    await userEvent.click(screen.getByRole('radio', { name: /Single read only/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Send message' }));
    await waitFor(() => expect(onSent).toHaveBeenCalled());
    expect(seen[0]).toMatchObject({ method: 'POST', url: 'http://api.test/customers/globex/messages', body: { text: 'Maintenance on Saturday', mode: 'SINGLE_READ' } });
    expect(screen.getByRole('status').textContent).toBe('The message was sent to the users of globex.');
  });
});

describe('quota form', () => {
  it('sends If-Match and says a 412 as someone else\'s change, with a reload', async () => {
    const reload = vi.fn();
    const { api, seen } = fakeApi([problem(412, { type: 'precondition-failed', title: 'Precondition failed', detail: 'version 4' })]);
    renderWithApi(inCustomer(<QuotaSection />, { reload }), api);
    const quota = screen.getByRole('spinbutton', { name: 'Maximum number of projects' });
    await userEvent.clear(quota);
    await userEvent.type(quota, '20');
    await userEvent.click(screen.getByRole('button', { name: 'Save quota' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Someone else changed this in the meantime');
    expect(seen[0]).toMatchObject({ method: 'PUT', body: { projectQuota: 20 }, headers: { 'if-match': '"3"' } });
    await userEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(reload).toHaveBeenCalled();
  });
});

describe('status section', () => {
  it('disables with a reason and shows the reason field error next to it', async () => {
    const { api, seen } = fakeApi([problem(400, { errors: { reason: 'must be on one line' } })]);
    renderWithApi(inCustomer(<StatusSection />), api);
    await userEvent.type(screen.getByRole('textbox', { name: 'Reason' }), 'no valid payment method');
    await userEvent.click(screen.getByRole('button', { name: 'Disable globex' }));
    await waitFor(() => expect(screen.getByText('must be on one line')).toBeTruthy());
    expect(seen[0]).toMatchObject({ method: 'PUT', url: 'http://api.test/customers/globex/status', body: { status: 'DISABLED', reason: 'no valid payment method' } });
  });

  it('approves a pending registration without a body', async () => {
    const replace = vi.fn();
    const pending = { ...exampleCustomer, status: 'PENDING_APPROVAL' as const };
    const { api, seen } = fakeApi([{ status: 200, body: { ...pending, status: 'ACTIVE', version: 4 }, headers: { etag: '"4"' } }]);
    renderWithApi(inCustomer(<StatusSection />, { customer: pending, replace }), api);
    await userEvent.click(screen.getByRole('button', { name: 'Approve globex' }));
    await waitFor(() => expect(replace).toHaveBeenCalled());
    expect(seen[0]).toMatchObject({ method: 'POST', url: 'http://api.test/customers/globex/approval', body: undefined });
    expect(seen[0]!.headers['content-type']).toBeUndefined();
  });
});

describe('customers table', () => {
  it('says an answer that is not JSON in words', async () => {
    const { api } = fakeApi([{ status: 502, text: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } }]);
    renderWithApi(<CustomersPage />, api);
    expect((await screen.findByRole('alert')).textContent).toContain('The service had a problem: The service answered with status 502.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('names the customer in each row action and pages on with the cursor', async () => {
    const { api, seen } = fakeApi([
      { status: 200, body: { items: [{ ...exampleCustomer, status: 'PENDING_APPROVAL' }], nextCursor: 'c2' } },
      { status: 200, body: { items: [], nextCursor: null } },
    ]);
    renderWithApi(<CustomersPage />, api);
    expect(await screen.findByRole('link', { name: 'Users of globex' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Send message to globex' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Approve globex' })).toBeTruthy();
    expect(screen.getByRole('link', { name: '+ Create Customer' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(seen).toHaveLength(2));
    expect(seen[1]!.url).toContain('cursor=c2');
  });
});

describe('history', () => {
  const page = { status: 200, body: { items: [], nextCursor: null } };

  it('filters by type and days, and reads again on each "Show events"', async () => {
    const { api, seen } = fakeApi([page, page, page]);
    renderWithApi(inCustomer(<HistorySection />), api);
    await screen.findByText('No events match.');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Event type' }), 'CUSTOMER_STATUS_CHANGED');
    await userEvent.click(screen.getByRole('button', { name: 'Show events' }));
    await waitFor(() => expect(seen).toHaveLength(2));
    expect(seen[1]!.url).toContain('type=CUSTOMER_STATUS_CHANGED');
    await userEvent.click(screen.getByRole('button', { name: 'Show events' }));
    await waitFor(() => expect(seen).toHaveLength(3));
  });

  it('takes a day as its local midnight, and the "to" day as included', () => {
    expect(dayStart('')).toBeUndefined();
    const to = new Date(dayStart('2026-03-01', true)!);
    expect(to.getTime() - new Date(dayStart('2026-03-01')!).getTime()).toBe(24 * 3600 * 1000);
  });
});
