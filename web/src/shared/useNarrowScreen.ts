import { useSyncExternalStore } from 'react';

/** Below Cloudscape's small breakpoint (688 px): a phone, where a table shows fewer columns. */
const NARROW = '(max-width: 687px)';

function subscribe(onChange: () => void) {
  const query = window.matchMedia(NARROW);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** Whether the window is phone-narrow now; re-renders when that changes. */
export function useNarrowScreen(): boolean {
  return useSyncExternalStore(subscribe, () => window.matchMedia(NARROW).matches, () => false);
}
