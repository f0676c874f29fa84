import { expect, it } from "vitest";
import { niceStep, timeTicks } from "./ticks";

it.each([
  [0.7, 1],
  [13, 20],
  [240, 500],
  [24_000, 50_000],
  [100_000, 100_000],
])("rounds a step of %d up to %d", (rough, nice) => {
  expect(niceStep(rough)).toBe(nice);
});

it("puts round ticks from 0 across the duration", () => {
  expect(timeTicks(120_000).map((t) => t.label)).toEqual(["0", "50ms", "100ms"]);
  expect(timeTicks(1_000_000).map((t) => t.fraction)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
});

it("has a single tick for an empty trace", () => {
  expect(timeTicks(0)).toEqual([{ offset: 0, fraction: 0, label: "0" }]);
});
