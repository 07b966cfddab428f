// Paging over the API's opaque cursors: the API pages forward only, so the cursors of the pages
// before the current one are kept to go back.
import { useState } from 'react';

export interface CursorPages {
  /** The cursor of the current page (null: the first page). */
  cursor: string | null;
  canGoBack: boolean;
  back: () => void;
  forward: (next: string) => void;
  /** Back to the first page (the filters changed). */
  reset: () => void;
}

export function useCursorPages(): CursorPages {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    cursor: cursors[cursors.length - 1] ?? null,
    canGoBack: cursors.length > 1,
    back: () => setCursors((c) => c.slice(0, -1)),
    forward: (next) => setCursors((c) => [...c, next]),
    reset: () => setCursors([null]),
  };
}

export function Pager(props: {
  label: string;
  pages: CursorPages;
  nextCursor: string | null | undefined;
  previousText: string;
  nextText: string;
}) {
  const { label, pages, nextCursor, previousText, nextText } = props;
  return (
    <nav aria-label={label} className="toolbar">
      <button type="button" disabled={!pages.canGoBack} onClick={pages.back}>
        {previousText}
      </button>
      <button
        type="button"
        disabled={!nextCursor}
        onClick={() => {
          if (nextCursor) pages.forward(nextCursor);
        }}
      >
        {nextText}
      </button>
    </nav>
  );
}
