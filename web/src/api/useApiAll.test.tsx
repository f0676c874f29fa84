import { cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { stubFetch } from "../test/fixtures";
import { useApiAll } from "./useApiAll";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it("loads every URL, keeps each answer or error with its URL, and reloads on a new key", async () => {
  const calls = stubFetch({ "/a": [200, { data: 1 }], "/b": [400, { error: "bad b" }] });
  const { result, rerender } = renderHook(({ key }) => useApiAll<{ data: number }>(["/a", null, "/b"], key), { initialProps: { key: 0 } });
  const pending = result.current;
  expect(pending.map((s) => s.loading)).toEqual([true, false, true]);
  rerender({ key: 0 });
  expect(result.current).toBe(pending);
  await waitFor(() => expect(result.current.every((s) => !s.loading)).toBe(true));
  expect(result.current.map((s) => [s.data, s.error])).toEqual([[{ data: 1 }, null], [null, null], [null, "bad b"]]);
  rerender({ key: 1 });
  await waitFor(() => expect(calls).toHaveLength(4));
});
