import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from './api-context.js';
import { ApiError } from './errors.js';

const invalidations = new EventTarget();

/** Tells every mounted useResource whose path starts with `prefix` to load again. */
export function invalidate(prefix: string): void {
  invalidations.dispatchEvent(new CustomEvent('invalidate', { detail: prefix }));
}

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  /** Replaces the data locally, e.g. after a live event. */
  mutate: (update: (current: T | undefined) => T | undefined) => void;
}

/** GETs `path` (null: nothing to load yet) and reloads it when invalidated. */
export function useResource<T>(path: string | null): Resource<T> {
  const api = useApi();
  // Data is kept with the path it came from, so a new path never shows the previous path's data.
  const [loaded, setLoaded] = useState<{ path: string | null; value: T | undefined }>({ path: null, value: undefined });
  const data = loaded.path === path ? loaded.value : undefined;
  // The path of the last successful load, for the load effect (which must not re-run when it changes).
  const loadedPath = useRef<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  // A live change applied while a load is in flight may be older than that load's answer, or
  // missing from it: such a load is followed by another one.
  const inflight = useRef(false);
  const changedDuringLoad = useRef(false);

  useEffect(() => {
    if (!path) return;
    const listener = (event: Event) => {
      if (path.startsWith((event as CustomEvent<string>).detail)) reload();
    };
    invalidations.addEventListener('invalidate', listener);
    return () => invalidations.removeEventListener('invalidate', listener);
  }, [path, reload]);

  // biome-ignore lint/correctness/useExhaustiveDependencies(version): reload() bumps version to run this load again
  useEffect(() => {
    if (!path) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    inflight.current = true;
    changedDuringLoad.current = false;
    setLoading(true);
    setError((current) => (current && loadedPath.current !== path ? null : current));
    api
      .get<T>(path, controller.signal)
      .then((value) => {
        loadedPath.current = path;
        setLoaded({ path, value });
        setError(null);
        if (changedDuringLoad.current) reload();
      })
      .catch((caught: unknown) => {
        if (controller.signal.aborted) return;
        setError(caught instanceof ApiError ? caught : new ApiError(0, 'unknown', 'Could not load this.'));
      })
      .finally(() => {
        if (controller.signal.aborted) return;
        inflight.current = false;
        setLoading(false);
      });
    return () => controller.abort();
  }, [api, path, version, reload]);

  const mutate = useCallback(
    (update: (current: T | undefined) => T | undefined) => {
      if (inflight.current) changedDuringLoad.current = true;
      setLoaded((current) => (current.path === path ? { path, value: update(current.value) } : current));
    },
    [path],
  );
  return { data, error, loading, reload, mutate };
}
