import { useState } from 'react';
import type { Page } from '../api/types';
import { useLoad } from './useLoad';

/**
 * A list read page by page, each further page appended below the ones shown ("Show more"):
 * `load(cursor)` reads one page, the first with no cursor.
 */
export function useShowMore<T>(load: (cursor?: string) => Promise<Page<T>>, deps: readonly unknown[]) {
  const [pages, setPages] = useState<Page<T>[]>([]);
  const [moreError, setMoreError] = useState<unknown>(null);
  const first = useLoad(() => load(), deps);
  const loaded = first.result.state === 'loaded' ? [first.result.value, ...pages] : [];
  const nextCursor = loaded.length > 0 ? loaded[loaded.length - 1]!.nextCursor : null;
  return {
    first,
    items: loaded.flatMap((page) => page.items),
    nextCursor,
    moreError,
    showMore: () => {
      if (!nextCursor) return;
      setMoreError(null);
      load(nextCursor).then((page) => setPages((shown) => [...shown, page]), setMoreError);
    },
    /** Back to the first page, read again. */
    reloadAll: () => {
      setPages([]);
      first.reload();
    },
  };
}
