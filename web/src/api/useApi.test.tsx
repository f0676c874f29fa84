import { render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { stubFetch } from "../test/fixtures";
import { useApi } from "./useApi";

afterEach(() => vi.unstubAllGlobals());

function Show({ url }: { url: string }) {
  const { data, error, loading } = useApi<{ data: string }>(url);
  return <div data-testid="out">{`${data?.data ?? "-"}|${error ?? "-"}|${loading}`}</div>;
}

it("keeps results while new parameters load, but not another resource's", async () => {
  stubFetch({
    "/api/a": [200, { data: "a" }],
    "/api/b": [500, { error: "b broke" }],
  });
  const { rerender } = render(<Show url="/api/a?x=1" />);
  expect((await screen.findByText("a|-|false")).textContent).toBe("a|-|false");
  rerender(<Show url="/api/a?x=2" />);
  expect(screen.getByTestId("out").textContent).toBe("a|-|true");
  rerender(<Show url="/api/b" />);
  expect(screen.getByTestId("out").textContent).toBe("-|-|true");
  expect((await screen.findByText("-|b broke|false")).textContent).toBe("-|b broke|false");
});
