import { expect, it } from "vitest";
import { levelFromLabels, levelFromText, normalizeLevel } from "./severity";

it.each([
  ["ERROR", "error"], ["err", "error"], ["Warning", "warn"], ["WARN", "warn"], ["info", "info"], ["notice", "info"],
  ["DEBUG", "debug"], ["trace", "trace"], ["CRITICAL", "fatal"], ["Error2", "error"], ["", "unknown"], ["loud", "unknown"],
])("%s is %s", (name, level) => {
  expect(normalizeLevel(name)).toBe(level);
});

it("reads the first level label that has a level", () => {
  expect(levelFromLabels({ detected_level: "warn", level: "error" })).toBe("warn");
  expect(levelFromLabels({ other: "x" }, { severity_text: "ERROR" })).toBe("error");
  expect(levelFromLabels({ level: "nope" })).toBe("unknown");
});

it.each([
  ["level=warn msg=slow", "warn"],
  ['{"level":"error","msg":"x"}', "error"],
  ["2024-01-01 [ERROR] boom", "error"],
  ["severity: debug", "debug"],
  ["all good", "unknown"],
])("reads the level written in %s", (line, level) => {
  expect(levelFromText(line)).toBe(level);
});
