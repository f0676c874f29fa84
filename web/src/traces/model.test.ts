import { describe, expect, it } from "vitest";
import { checkoutTrace, span, T0 } from "../test/fixtures";
import { allParams, isCollapsed, readCollapse, toggleParams } from "./collapse";
import { buildTraceModel, visibleSpans } from "./model";

const outline = (spans: { name: string; depth: number }[]) => spans.map((s) => `${"  ".repeat(s.depth)}${s.name}`);

describe("buildTraceModel", () => {
  const model = buildTraceModel(checkoutTrace());

  it("nests spans by reference, children by start time, orphans at the top level", () => {
    expect(outline(model.spans)).toEqual(["GET /checkout", "  create order", "    charge card", "orphan work"]);
    expect(model.root?.name).toBe("GET /checkout");
    expect(model.byId.get("zz")?.parentId).toBe("gone");
  });

  it("summarises the trace", () => {
    expect(model.start).toBe(T0);
    expect(model.end).toBe(T0 + 120_000);
    expect(model.services).toEqual(["gateway", "orders", "payments"]);
    expect(model.errorCount).toBe(1);
  });

  it("reads kind, status and errors from tags, resource from the process", () => {
    const charge = model.byId.get("c1");
    expect(charge).toMatchObject({ service: "payments", kind: "internal", statusCode: "ERROR", statusMessage: "card declined", isError: true });
    expect(model.byId.get("a1")).toMatchObject({ kind: "server", statusCode: "UNSET", isError: false });
    expect(model.byId.get("a1")?.resource).toEqual([{ key: "host.name", type: "string", value: "gw-1" }]);
  });

  it("cuts a parent cycle instead of losing its spans", () => {
    const trace = checkoutTrace();
    trace.spans = [span("x", "y", "x", 0, 10), span("y", "x", "y", 5, 10)];
    expect(outline(buildTraceModel(trace).spans)).toEqual(["x", "  y"]);
  });

  it("handles a 10k-deep chain without recursion", () => {
    const trace = checkoutTrace();
    trace.spans = Array.from({ length: 10_000 }, (_, i) => span(`s${i}`, i ? `s${i - 1}` : null, `op${i}`, i, 10));
    const deep = buildTraceModel(trace);
    expect(deep.spans).toHaveLength(10_000);
    expect(deep.spans[9_999].depth).toBe(9_999);
  });
});

describe("collapsing", () => {
  const model = buildTraceModel(checkoutTrace());
  const rowsFor = (query: string) => {
    const state = readCollapse(new URLSearchParams(query));
    return visibleSpans(model, (id) => isCollapsed(state, id)).map((s) => s.name);
  };

  it("hides the subtree of a toggled span", () => {
    expect(rowsFor("toggled=b1")).toEqual(["GET /checkout", "create order", "orphan work"]);
  });

  it("shows only top-level spans with collapse=all, and toggles open from there", () => {
    expect(rowsFor("collapse=all")).toEqual(["GET /checkout", "orphan work"]);
    expect(rowsFor("collapse=all&toggled=a1")).toEqual(["GET /checkout", "create order", "orphan work"]);
  });

  it("writes toggles and collapse-all as URL changes", () => {
    const state = readCollapse(new URLSearchParams("toggled=a1,b1"));
    expect(toggleParams(state, "a1")).toEqual({ toggled: "b1" });
    expect(toggleParams(state, "c1")).toEqual({ toggled: "a1,b1,c1" });
    expect(allParams(true)).toEqual({ collapse: "all", toggled: null });
    expect(allParams(false)).toEqual({ collapse: null, toggled: null });
  });
});
