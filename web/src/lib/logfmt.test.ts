import { expect, it } from "vitest";
import { parseLogfmt } from "./logfmt";

it.each([
  ["", {}],
  ["http.status_code=500 error=true", { "http.status_code": "500", error: "true" }],
  ['note="two words" k=v', { note: "two words", k: "v" }],
  ['q="say \\"hi\\""', { q: 'say "hi"' }],
  ["empty=", { empty: "" }],
])("parses %j", (text, expected) => {
  expect(parseLogfmt(text)).toEqual(expected);
});

it.each(["alone", "a=1 b", '"k"=v', "a=1 =2"])("rejects %j naming where it stopped", (text) => {
  expect(() => parseLogfmt(text)).toThrow(/attributes: expected key=value at/);
});
