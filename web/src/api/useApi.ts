// Loads one API URL into component state; a new URL cancels the previous request.
import { useEffect, useState } from "react";
import { getJson } from "./client";

export interface ApiState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

interface Loaded<T> extends ApiState<T> {
  url: string | null;
}

const pathOf = (url: string | null) => url?.split("?")[0] ?? null;

/**
 * Fetches `url` (nothing when null) and refetches when it or `reloadKey` changes. While a request runs,
 * the previous answer stays if it came from the same path (a refresh or new search parameters), so
 * results do not flicker; an answer for another path (another trace) is not shown.
 */
export function useApi<T>(url: string | null, reloadKey: unknown = 0, headers?: Record<string, string>): ApiState<T> {
  const [state, setState] = useState<Loaded<T>>({ url, data: null, error: null, loading: url !== null });

  useEffect(() => {
    if (url === null) {
      setState({ url, data: null, error: null, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    getJson<T>(url, controller.signal, headers).then(
      (data) => setState({ url, data, error: null, loading: false }),
      (error: Error) => {
        if (error.name !== "AbortError") setState({ url, data: null, error: error.message, loading: false });
      },
    );
    return () => controller.abort();
  }, [url, reloadKey]); // headers are constant per caller

  if (pathOf(state.url) !== pathOf(url)) return { data: null, error: null, loading: url !== null };
  return state;
}
