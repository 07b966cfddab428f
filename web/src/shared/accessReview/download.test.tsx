import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, problem, renderPage } from '../../testing/render';
import { DownloadAccessReviewButton } from './DownloadAccessReviewButton';
import { defaultFilename, fetchAccessReviewCsv, filenameOf } from './download';

const CSV = 'kind,id,name,email,role,joinedVia,addedBy,joinedAt,lastRoleChangeAt,expiresAt,lastReviewedAt,lastUsedAt\r\nMEMBER,u1,Jane,jane@globex.example,CUSTOMER_ADMIN,REGISTRATION,u1,2026-01-15T11:25:00.123Z,,,,\r\n';
const csvAnswer = (headers: Record<string, string> = { 'content-disposition': 'attachment; filename="access-review-globex-2026-12-07.csv"' }) => ({
  status: 200, text: CSV, headers: { 'content-type': 'text/csv; charset=utf-8', ...headers },
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('the access review CSV', () => {
  it("reads the server's filename from Content-Disposition", () => {
    expect(filenameOf('attachment; filename="access-review-globex-2026-12-07.csv"')).toBe('access-review-globex-2026-12-07.csv');
    expect(filenameOf("attachment; filename*=UTF-8''a%20b.csv")).toBe('a b.csv');
    expect(filenameOf('attachment; filename=plain.csv')).toBe('plain.csv');
    expect(filenameOf('attachment; filename="../../evil.csv"')).toBe('.._.._evil.csv');
    expect(filenameOf(null)).toBeNull();
    expect(defaultFilename('globex', new Date('2026-12-07T23:30:00Z'))).toBe('access-review-globex-2026-12-07.csv');
  });

  it('is fetched with Accept: text/csv and the token, as a file under the given name', async () => {
    const { api, seen } = fakeApi([['GET /customers/globex/access-review', csvAnswer()]]);
    const file = await fetchAccessReviewCsv(api, 'globex');
    expect(file.filename).toBe('access-review-globex-2026-12-07.csv');
    expect(await file.blob.text()).toBe(CSV);
    expect(seen[0]!.headers.get('accept')).toBe('text/csv');
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer test-token');
  });

  it('is named as the API names it when the header cannot be read (not exposed across origins)', async () => {
    const { api } = fakeApi([['GET /customers/globex/access-review', csvAnswer({})]]);
    expect((await fetchAccessReviewCsv(api, 'globex')).filename).toBe(defaultFilename('globex'));
  });

  it('is saved only when the button is pressed, and a refusal is said in words', async () => {
    const created: Blob[] = [];
    const clicked: string[] = [];
    // jsdom has no object URLs: the page's calls are recorded instead.
    vi.stubGlobal('URL', Object.assign(class extends URL {}, {
      createObjectURL: (blob: Blob) => {
        created.push(blob);
        return 'blob:csv';
      },
      revokeObjectURL: () => {},
    }));
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const { api, seen } = fakeApi([
      ['GET /customers/globex/access-review', csvAnswer()],
      ['GET /customers/globex/access-review', problem(409, 'access-review-too-large')],
    ]);
    renderPage(<DownloadAccessReviewButton customerId="globex" />, { api });
    const button = await screen.findByRole('button', { name: 'Download access review (CSV)' });
    expect(seen).toEqual([]);
    await userEvent.click(button);
    await waitFor(() => expect(clicked).toEqual(['access-review-globex-2026-12-07.csv']));
    expect(await created[0]!.text()).toBe(CSV);
    await userEvent.click(button);
    expect(await screen.findByText(/could not be downloaded\. This customer has more members or service users than one access review covers/)).toBeTruthy();
  });
});
