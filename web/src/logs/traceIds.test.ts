import { expect, it } from "vitest";
import { findTraceId, splitAroundId } from "./traceIds";

const ID = "4bf92f3577b34da6a3ce929d0e0e4736";

it.each([
  [`GET /cart trace_id=${ID} took 3ms`, ID],
  [`{"msg":"paid","traceId":"${ID.toUpperCase()}"}`, ID],
  [`trace.id: ${ID}`, ID],
  [`traceparent=00-${ID}-00f067aa0ba902b7-01`, ID],
  [`"traceparent": "00-${ID}-00f067aa0ba902b7-01"`, ID],
  [`trace_id=${"0".repeat(32)}`, null],
  [`trace_id=${ID}ff`, null],
  [`just ${ID} somewhere`, null],
  ["nothing here", null],
])("finds the trace id in %s", (line, id) => {
  expect(findTraceId(line)).toBe(id);
});

it("prefers the id stored beside the line", () => {
  const other = "a".repeat(32);
  expect(findTraceId(`trace_id=${ID}`, { trace_id: other })).toBe(other);
  expect(findTraceId("no id", undefined, { traceid: other })).toBe(other);
  expect(findTraceId("no id", { trace_id: "" })).toBeNull();
});

it("splits a line around every occurrence of the id, whatever its case", () => {
  expect(splitAroundId(`a ${ID.toUpperCase()} b ${ID}`, ID)).toEqual(["a ", ID.toUpperCase(), " b ", ID, ""]);
});
