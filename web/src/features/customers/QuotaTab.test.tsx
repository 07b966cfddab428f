import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useQuery } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { customerQuery } from '../../api/queries';
import { useApi } from '../../auth/AuthContext';
import { exampleCustomer, fakeApi, problem, renderPage } from '../../testing/render';
import { QuotaTab } from './QuotaTab';

/** The tab as the customer page gives it: the customer and its ETag from the query. */
function WithCustomer() {
  const read = useQuery(customerQuery(useApi(), 'globex'));
  return read.data ? <QuotaTab customer={read.data.customer} etag={read.data.etag} /> : null;
}

describe('QuotaTab', () => {
  it('on a 412 shows the stored quota beside the change and applies it again against the new version', async () => {
    const { api, writes } = fakeApi([
      ['GET /customers/globex', { status: 200, body: exampleCustomer, headers: { etag: '"3"' } }],
      ['PUT /customers/globex/quota', problem(412, 'precondition-failed')],
      ['GET /customers/globex', { status: 200, body: { ...exampleCustomer, projectQuota: 7, version: 4 }, headers: { etag: '"4"' } }],
      ['PUT /customers/globex/quota', { status: 200, body: { ...exampleCustomer, projectQuota: 20, version: 5 }, headers: { etag: '"5"' } }],
      ['GET /customers/globex', { status: 200, body: { ...exampleCustomer, projectQuota: 20, version: 5 }, headers: { etag: '"5"' } }],
    ]);
    renderPage(<WithCustomer />, { api });
    const input = await screen.findByRole('spinbutton', { name: 'Maximum number of projects' });
    await userEvent.clear(input);
    await userEvent.type(input, '20');
    await userEvent.click(screen.getByRole('button', { name: 'Save quota' }));

    expect(await screen.findByText('Someone else changed this in the meantime.')).toBeTruthy();
    expect(await screen.findByText(/Now stored: quota 7\. Your change: quota 20\./)).toBeTruthy();
    expect(writes()[0]!.headers.get('if-match')).toBe('"3"');

    await userEvent.click(screen.getByRole('button', { name: 'Apply my change again' }));
    await waitFor(() => expect(writes()).toHaveLength(2));
    expect(writes()[1]!.headers.get('if-match')).toBe('"4"');
    expect(writes()[1]!.body).toEqual({ projectQuota: 20 });
    expect(await screen.findByText('The project quota of globex is now 20.')).toBeTruthy();
  });
});
