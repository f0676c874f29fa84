import { expect, it } from "vitest";
import { buildHref } from "../lib/router";
import { effectiveQuery, logsParams, readLogsState } from "./logsState";

const read = (query: string) => readLogsState(new URLSearchParams(query));

it("starts in simple mode with every service", () => {
  const state = read("");
  expect(state).toMatchObject({ mode: "simple", limit: 1000, direction: "backward", live: "" });
  expect(effectiveQuery(state)).toEqual({ query: '{service_name=~".+"}', problem: null });
  expect(logsParams(state)).toEqual(expect.objectContaining({ mode: null, query: null, limit: null }));
});

it("round-trips every state through the URL", () => {
  const url = "mode=logql&query=%7Ba%3D%22b%22%7D&limit=50&dir=forward&live=paused&line=1-x&context=2-y";
  const state = read(url);
  expect(state).toMatchObject({ mode: "logql", query: '{a="b"}', limit: 50, direction: "forward", live: "paused", line: "1-x", context: "2-y" });
  expect(read(buildHref("/logs", logsParams(state)).split("?")[1])).toEqual(state);
  const simple = read("service=api&level=error,warn&words=boom&fields=status%3D500&parser=json");
  expect(simple.simple).toEqual({ service: "api", levels: ["error", "warn"], words: "boom", fields: "status=500", parser: "json" });
  expect(read(buildHref("/logs", logsParams(simple)).split("?")[1])).toEqual(simple);
});

it("runs a trace's query when the trace view links here", () => {
  const id = "4bf92f3577b34da6a3ce929d0e0e4736";
  expect(effectiveQuery(read(`traceId=${id}`)).query).toBe(`{service_name=~".+"} | trace_id="${id}"`);
  expect(effectiveQuery(read(`traceId=${id}&traceMatch=text`)).query).toBe(`{service_name=~".+"} |= "${id}"`);
  expect(effectiveQuery(read(`traceId=${id}&query=%7Bx%3D%22y%22%7D`)).query).toBe('{x="y"}');
});

it("reports unreadable simple filters instead of running them", () => {
  expect(effectiveQuery(read("fields=nonsense"))).toEqual({ query: "", problem: expect.stringMatching(/^fields: expected/) });
  expect(read("limit=-3").limit).toBe(1000);
  expect(read("limit=99999").limit).toBe(5000);
});
