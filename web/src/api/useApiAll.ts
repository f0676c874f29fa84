// Loads several API URLs at once (one per query); each answer or error stays with its URL.
import { useEffect, useState } from "react";
import { getJson } from "./client";
import type { ApiState } from "./useApi";

/** Fetches every non-null URL; a new list cancels the previous requests. Null URLs give an empty state. */
export function useApiAll<T>(urls: (string | null)[]): ApiState<T>[] {
  const key = JSON.stringify(urls);
  const [states, setStates] = useState<{ key: string; states: ApiState<T>[] }>({ key: "", states: [] });

  useEffect(() => {
    const controller = new AbortController();
    const list: (string | null)[] = JSON.parse(key);
    const current: ApiState<T>[] = list.map((url) => ({ data: null, error: null, loading: url !== null }));
    setStates({ key, states: [...current] });
    list.forEach((url, index) => {
      if (url === null) return;
      getJson<T>(url, controller.signal).then(
        (data) => (current[index] = { data, error: null, loading: false }),
        (error: Error) => (current[index] = { data: null, error: error.name === "AbortError" ? null : error.message, loading: false }),
      ).then(() => {
        if (!controller.signal.aborted) setStates({ key, states: [...current] });
      });
    });
    return () => controller.abort();
  }, [key]);

  return states.key === key ? states.states : urls.map((url) => ({ data: null, error: null, loading: url !== null }));
}
