import { expect, it } from "vitest";
import { bucketTimes, timeAtX, volumeFromMatrix } from "./volume";

it("aligns buckets to the step", () => {
  expect(bucketTimes(125, 300, 60)).toEqual([120, 180, 240, 300]);
});

it("sums series into level buckets; a point counts the step before it", () => {
  const volume = volumeFromMatrix(
    [
      { metric: { detected_level: "error" }, values: [[180, "2"], [240, "1"]] },
      { metric: { level: "INFO" }, values: [[180, "5"], [300, "3"]] },
      { metric: { severity_text: "Information" }, values: [[180, "1"]] },
      { metric: {}, values: [[360, "4"], [999, "7"]] },
    ],
    120,
    300,
    60,
  );
  expect(volume.times).toEqual([120, 180, 240, 300]);
  expect(volume.counts.error).toEqual([2, 1, 0, 0]);
  expect(volume.counts.info).toEqual([6, 0, 3, 0]);
  expect(volume.counts.unknown).toEqual([0, 0, 0, 4]);
  expect(volume.levels).toEqual(["error", "info", "unknown"]);
  expect(volume.max).toBe(8);
});

it("maps a pixel to a time", () => {
  expect(timeAtX(250, 1000, 100, 200)).toBe(125);
  expect(timeAtX(-5, 1000, 100, 200)).toBe(100);
  expect(timeAtX(5, 0, 100, 200)).toBe(100);
});
