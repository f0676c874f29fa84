import { expect, it } from "vitest";
import { autoStep, formatStep, niceStep, parseStep } from "./steps";

it.each([[0.3, 1], [1, 1], [11, 15], [61, 120], [3601, 7200], [700000, 777600]])("nice step for %d s is %d s", (raw, step) => {
  expect(niceStep(raw)).toBe(step);
});

it.each([
  [3600, 1200, 10],
  [3600, 300, 60],
  [86400, 1000, 300],
  [300, 1000, 1],
  [365 * 86400, 100, 12 * 86400],
])("a %d s range over %d px steps %d s", (range, width, step) => {
  expect(autoStep(range, width)).toBe(step);
});

it("never asks for more than 11,000 points", () => {
  expect(30 * 86400 / autoStep(30 * 86400, 1e6)).toBeLessThanOrEqual(11_000);
});

it.each([["30", 30], ["15s", 15], ["1m30s", 90], ["250ms", 0.25], ["2h", 7200], [" 1d ", 86400], ["0.5", 0.5]])("reads step %s", (text, seconds) => {
  expect(parseStep(text)).toBe(seconds);
});

it.each(["", "fast", "1x", "-5", "0s"])("rejects step %j", (text) => {
  expect(() => parseStep(text)).toThrow(/invalid step/);
});

it.each([[90, "1m30s"], [0.25, "250ms"], [3600, "1h"], [86400 + 60, "1d1m"], [15, "15s"]])("writes %d s as %s", (seconds, text) => {
  expect(formatStep(seconds)).toBe(text);
});
