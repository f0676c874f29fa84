import { render, screen } from "@testing-library/react";
import { expect, it } from "vitest";
import { visibleWindow, VirtualList } from "./VirtualList";

it.each([
  [0, 100, { first: 0, last: 14 }],
  [1000, 100, { first: 96, last: 114 }],
  [9990 * 10, 100, { first: 9986, last: 10000 }],
])("at scrollTop %d renders a window", (scrollTop, height, window) => {
  expect(visibleWindow(10_000, 10, scrollTop, height, 4)).toEqual(window);
});

it("renders only a screenful of 10k rows", () => {
  const items = Array.from({ length: 10_000 }, (_, i) => `row ${i}`);
  render(<VirtualList items={items} rowHeight={20} rowKey={(s) => s} renderRow={(s) => <span data-testid="row">{s}</span>} />);
  const rows = screen.getAllByTestId("row");
  expect(rows.length).toBeLessThan(80);
  expect(rows[0].textContent).toBe("row 0");
});
