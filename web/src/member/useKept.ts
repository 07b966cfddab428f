import { useEffect, useState } from 'react';
import type { Loaded } from '../ui/useLoad';

/**
 * The last value `result` loaded, also while it loads again (after a change): a list stays on
 * screen, and the button just pressed keeps the focus, instead of the list flashing to "loading".
 * Null until the first load; pages remount per customer, so no other customer's list shows.
 */
export function useKept<T>(result: Loaded<T>): T | null {
  const [kept, setKept] = useState<T | null>(null);
  useEffect(() => {
    if (result.state === 'loaded') setKept(result.value);
  }, [result]);
  return result.state === 'loaded' ? result.value : kept;
}
