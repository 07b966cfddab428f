// A list's state in the URL's query string, so deep links and Back keep it: the filters a page
// names, and the cursors of the pages walked so far (`after`, repeated: page n+1 is read with the
// n-th). Several lists on one page keep apart by a prefix (`invitations.after`).
import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

export interface ListParams {
  /** The filter values by name; '' when absent. */
  filters: Record<string, string>;
  /** The cursor to read the current page with (undefined: the first page). */
  cursor: string | undefined;
  /** 1-based */
  pageIndex: number;
  setFilter: (name: string, value: string) => void;
  /** Goes to page `index` (1-based) when `nextCursor` is the cursor of the page after the current one. */
  goToPage: (index: number, nextCursor: string | null | undefined) => void;
}

const prefixed = (prefix: string, n: string) => (prefix ? `${prefix}.${n}` : n);

export function useListParams(filterNames: readonly string[] = [], prefix = ''): ListParams {
  const [params, setParams] = useSearchParams();
  const afterKey = prefixed(prefix, 'after');
  const cursors = params.getAll(afterKey);
  const filters: Record<string, string> = Object.fromEntries(filterNames.map((f) => [f, params.get(prefixed(prefix, f)) ?? '']));

  const setFilter = useCallback(
    (filter: string, value: string) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value) next.set(prefixed(prefix, filter), value);
          else next.delete(prefixed(prefix, filter));
          next.delete(afterKey); // a new filter starts at the first page
          return next;
        },
        { replace: filter === 'q' },
      ),
    [setParams, afterKey, prefix],
  );

  const goToPage = useCallback(
    (index: number, nextCursor: string | null | undefined) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        const walked = next.getAll(afterKey);
        next.delete(afterKey);
        const kept = index - 1 <= walked.length ? walked.slice(0, index - 1) : nextCursor ? [...walked, nextCursor] : walked;
        for (const cursor of kept) next.append(afterKey, cursor);
        return next;
      }),
    [setParams, afterKey],
  );

  return { filters, cursor: cursors.at(-1), pageIndex: cursors.length + 1, setFilter, goToPage };
}
