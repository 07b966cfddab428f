// The access review's CSV (issue 24): read through the app's API client (the bearer token goes
// with it), with `Accept: text/csv`, and saved under the server's filename. A plain link could not
// carry the token, and opening a page never fetches it: only the button does.
import { answer, type Api } from '../../api/client';

/** `attachment; filename="x.csv"` (or RFC 6266's `filename*=UTF-8''x.csv`) → `x.csv`, else null. */
export function filenameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (extended) {
    try {
      return safeName(decodeURIComponent(extended[1]!.trim()));
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/.exec(disposition);
  const name = plain ? (plain[1] ?? plain[2] ?? '').replace(/\\(.)/g, '$1').trim() : '';
  return name ? safeName(name) : null;
}

/** No folders in a name to save under. */
const safeName = (name: string) => name.replace(/[/\\]/g, '_');

/**
 * The name the API gives the attachment (`access-review-<id>-<YYYY-MM-DD>.csv`, the day in UTC),
 * for when the browser does not let the page read Content-Disposition (a cross-origin answer shows
 * only the headers the API's CORS configuration exposes).
 */
export const defaultFilename = (customerId: string, now: Date = new Date()) =>
  `access-review-${customerId}-${now.toISOString().slice(0, 10)}.csv`;

export interface CsvFile {
  blob: Blob;
  filename: string;
}

/** The CSV export of a customer's access, as a file; a refusal is an ApiError as every call's. */
export async function fetchAccessReviewCsv(api: Api, customerId: string): Promise<CsvFile> {
  let disposition: string | null = null;
  const { data } = await answer(
    api
      .GET('/customers/{id}/access-review', {
        params: { path: { id: customerId }, header: { Accept: 'text/csv' } },
        parseAs: 'blob',
      })
      .then((result) => {
        disposition = result.response.headers.get('content-disposition');
        return result;
      }),
  );
  const blob = data as unknown as Blob;
  return { blob: blob.type ? blob : new Blob([blob], { type: 'text/csv' }), filename: filenameOf(disposition) ?? defaultFilename(customerId) };
}

/** Hands a file to the browser's download (the way a page saves what it fetched). */
export function saveFile({ blob, filename }: CsvFile) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked after the click has been handled, so the download has its data.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
