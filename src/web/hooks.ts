// Small hooks shared by the pages: load data (again on demand), and run an action with its error.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change or `reload` is called; a late answer is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setData(undefined);
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

export interface Action {
  busy: boolean;
  error: unknown;
  /** Field → rule, from the last validation error. */
  fieldError: (name: string) => string | undefined;
  /** The first rule broken at `prefix` or under it (`limits.calls` → `limits.calls.perCaller.points`). */
  fieldErrorUnder: (prefix: string) => string | undefined;
  run: (work: () => Promise<void>) => void;
  clear: () => void;
}

/** One action at a time, with the error it ended with. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const running = useRef(false);
  const fieldError = (name: string): string | undefined =>
    error instanceof ApiError ? error.fields.get(name) : undefined;
  const fieldErrorUnder = (prefix: string): string | undefined => {
    if (!(error instanceof ApiError)) return undefined;
    for (const [name, rule] of error.fields)
      if (name === prefix || name.startsWith(`${prefix}.`)) return rule;
    return undefined;
  };
  const run = (work: () => Promise<void>): void => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(undefined);
    work().then(
      () => {
        running.current = false;
        setBusy(false);
      },
      (e: unknown) => {
        running.current = false;
        setBusy(false);
        setError(e);
      },
    );
  };
  return { busy, error, fieldError, fieldErrorUnder, run, clear: () => setError(undefined) };
}

export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}
