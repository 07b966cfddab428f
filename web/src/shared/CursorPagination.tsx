import Pagination from '@cloudscape-design/components/pagination';
import type { ListParams } from './useListParams';

/**
 * Cloudscape's pagination over a cursor-paged list: the pages walked so far, and one more while
 * the API says there is a next page (open end).
 */
export function CursorPagination({ list, nextCursor, disabled }: { list: ListParams; nextCursor: string | null | undefined; disabled?: boolean }) {
  return (
    <Pagination
      currentPageIndex={list.pageIndex}
      pagesCount={list.pageIndex + (nextCursor ? 1 : 0)}
      openEnd={Boolean(nextCursor)}
      disabled={disabled}
      onChange={({ detail }) => list.goToPage(detail.currentPageIndex, nextCursor)}
      ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }}
    />
  );
}
