import { describe, expect, it } from "vitest";
import { durationProblem, formatDuration, parseDuration } from "./durations";

describe("parseDuration", () => {
  it.each([
    ["100ms", 100_000],
    ["1.2s", 1_200_000],
    ["500us", 500],
    ["500µs", 500],
    ["1500ns", 1.5],
    ["1m30s", 90_000_000],
    ["2h", 7_200_000_000],
    [".5s", 500_000],
    [" 3ms ", 3_000],
  ])("%s is %d µs", (text, micros) => {
    expect(parseDuration(text)).toBeCloseTo(micros, 6);
  });

  it.each(["x", "100", "10 ms", "1d", "ms", "1.2.3s"])("rejects %s", (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });

  it("says nothing about empty text in durationProblem", () => {
    expect(durationProblem("")).toBeNull();
    expect(durationProblem("5q")).toMatch("invalid duration '5q'");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0µs"],
    [850, "850µs"],
    [1_234, "1.23ms"],
    [12_345, "12.3ms"],
    [123_456, "123ms"],
    [1_240_000, "1.24s"],
    [123_000_000, "2m 3s"],
    [3_900_000_000, "1h 5m"],
  ])("%d µs is %s", (micros, text) => {
    expect(formatDuration(micros)).toBe(text);
  });
});
