import { useCallback, useEffect, useState } from 'react';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'failed'; error: unknown }
  | { state: 'loaded'; value: T };

/** Runs `load` when `deps` change (and on `reload`); a stale answer never replaces a newer one. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]) {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  useEffect(() => {
    const controller = new AbortController();
    setResult({ state: 'loading' });
    run(controller.signal).then(
      (value) => { if (!controller.signal.aborted) setResult({ state: 'loaded', value }); },
      (error: unknown) => { if (!controller.signal.aborted) setResult({ state: 'failed', error }); },
    );
    return () => controller.abort();
  }, [run, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { result, reload, setResult };
}
