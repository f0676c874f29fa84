import { describe, expect, it } from "vitest";
import { describeRange, readRange, refreshIntervalMs, resolveRange, resolveTimePoint } from "./timeRange";

const NOW = 1_700_000_000_000;

describe("resolveTimePoint", () => {
  it.each([
    ["now", NOW],
    ["now-5m", NOW - 300_000],
    ["now-1h", NOW - 3_600_000],
    ["now-7d", NOW - 7 * 86_400_000],
    ["1690000000000", 1_690_000_000_000],
  ])("%s", (text, ms) => {
    expect(resolveTimePoint(text, NOW)).toBe(ms);
  });

  it("rejects other text", () => {
    expect(() => resolveTimePoint("yesterday", NOW)).toThrow(/invalid time 'yesterday'/);
  });
});

describe("readRange", () => {
  it("defaults to the last hour without auto-refresh", () => {
    expect(readRange(new URLSearchParams())).toEqual({ from: "now-1h", to: "now", refresh: "off" });
  });

  it("keeps a valid range and refresh", () => {
    const params = new URLSearchParams("from=1000&to=2000&refresh=30s");
    expect(readRange(params)).toEqual({ from: "1000", to: "2000", refresh: "30s" });
  });

  it("falls back when the URL is malformed", () => {
    expect(readRange(new URLSearchParams("from=junk&to=now&refresh=2s"))).toEqual({ from: "now-1h", to: "now", refresh: "off" });
  });
});

it("resolves to microseconds", () => {
  expect(resolveRange({ from: "now-15m", to: "now", refresh: "off" }, NOW)).toEqual({
    startUs: (NOW - 900_000) * 1000,
    endUs: NOW * 1000,
  });
});

it("describes presets by name and absolute ranges by their ends", () => {
  expect(describeRange({ from: "now-24h", to: "now", refresh: "off" }, String)).toBe("Last 24 hours");
  expect(describeRange({ from: "1000", to: "2000", refresh: "off" }, (ms) => `t${ms}`)).toBe("t1000 → t2000");
  const day = (ms: number) => `2024-01-02 0${ms}:00:00`;
  expect(describeRange({ from: "3", to: "5", refresh: "off" }, day)).toBe("2024-01-02 03:00:00 → 05:00:00");
});

it("knows the refresh intervals", () => {
  expect(refreshIntervalMs("off")).toBeNull();
  expect(refreshIntervalMs("5s")).toBe(5000);
  expect(refreshIntervalMs("1m")).toBe(60000);
});
