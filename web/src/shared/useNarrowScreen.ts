import { useSyncExternalStore } from 'react';

/** Below Cloudscape's small breakpoint (688 px): a phone, where a table shows fewer columns. */
const NARROW = '(max-width: 687px)';

/** The query, where the environment has media queries (jsdom, for one, has none: wide then). */
function narrowQuery(): MediaQueryList | undefined {
  return typeof window.matchMedia === 'function' ? window.matchMedia(NARROW) : undefined;
}

function subscribe(onChange: () => void) {
  const query = narrowQuery();
  query?.addEventListener('change', onChange);
  return () => query?.removeEventListener('change', onChange);
}

/** Whether the window is phone-narrow now; re-renders when that changes. */
export function useNarrowScreen(): boolean {
  return useSyncExternalStore(subscribe, () => narrowQuery()?.matches ?? false, () => false);
}
