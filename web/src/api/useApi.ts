// Loads one API URL into component state; a new URL cancels the previous request.
import { useEffect, useState } from "react";
import { getJson } from "./client";

export interface ApiState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/** Fetches `url` (nothing when null) and refetches when it or `reloadKey` changes. */
export function useApi<T>(url: string | null, reloadKey: unknown = 0): ApiState<T> {
  const [state, setState] = useState<ApiState<T>>({ data: null, error: null, loading: url !== null });

  useEffect(() => {
    if (url === null) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    getJson<T>(url, controller.signal).then(
      (data) => setState({ data, error: null, loading: false }),
      (error: Error) => {
        if (error.name !== "AbortError") setState({ data: null, error: error.message, loading: false });
      },
    );
    return () => controller.abort();
  }, [url, reloadKey]);

  return state;
}
