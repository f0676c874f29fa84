// Loads several API URLs at once (one per query); each answer or error stays with its URL.
import { useEffect, useMemo, useState } from "react";
import { getJson } from "./client";
import type { ApiState } from "./useApi";

/**
 * Fetches every non-null URL, again when `reloadKey` changes; a new list cancels the previous requests.
 * Null URLs give an empty state. The answer keeps its identity until something arrives, so memos stay put.
 */
export function useApiAll<T>(urls: (string | null)[], reloadKey: unknown = 0): ApiState<T>[] {
  const key = JSON.stringify(urls);
  const pending = useMemo(() => (JSON.parse(key) as (string | null)[]).map((url) => ({ data: null, error: null, loading: url !== null })), [key]);
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
  }, [key, reloadKey]);

  return states.key === key ? states.states : pending;
}
