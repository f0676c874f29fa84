// Turns a Jaeger trace into a span tree for the waterfall: parents from references, orphans at the top.
import type { JaegerLog, JaegerSpan, JaegerTag, JaegerTrace, TagValue } from "../api/types";

export interface SpanNode {
  id: string;
  /** The parent span id the span names, even when that span is not in the trace. */
  parentId: string | null;
  name: string;
  service: string;
  serviceIndex: number;
  kind: string;
  statusCode: string;
  statusMessage: string;
  isError: boolean;
  start: number;
  duration: number;
  tags: JaegerTag[];
  resource: JaegerTag[];
  logs: JaegerLog[];
  depth: number;
  children: SpanNode[];
}

export interface TraceModel {
  traceId: string;
  /** Every span in depth-first order (children by start time). */
  spans: SpanNode[];
  byId: Map<string, SpanNode>;
  root: SpanNode | null;
  start: number;
  end: number;
  services: string[];
  errorCount: number;
  warnings: string[];
}

export function tagValue(tags: JaegerTag[] | null | undefined, key: string): TagValue | undefined {
  return tags?.find((tag) => tag.key === key)?.value;
}

function parentOf(span: JaegerSpan): string | null {
  const refs = span.references ?? [];
  const ref = refs.find((r) => r.refType === "CHILD_OF") ?? refs[0];
  return ref?.spanID || span.parentSpanID || null;
}

function isErrorSpan(tags: JaegerTag[]): boolean {
  const error = tagValue(tags, "error");
  return error === true || error === "true" || tagValue(tags, "otel.status_code") === "ERROR";
}

function toNode(span: JaegerSpan, trace: JaegerTrace): SpanNode {
  const tags = span.tags ?? [];
  const process = trace.processes?.[span.processID];
  const isError = isErrorSpan(tags);
  return {
    id: span.spanID,
    parentId: parentOf(span),
    name: span.operationName,
    service: process?.serviceName ?? span.processID ?? "unknown",
    serviceIndex: 0,
    kind: String(tagValue(tags, "span.kind") ?? ""),
    statusCode: String(tagValue(tags, "otel.status_code") ?? (isError ? "ERROR" : "UNSET")),
    statusMessage: String(tagValue(tags, "otel.status_description") ?? ""),
    isError,
    start: span.startTime,
    duration: span.duration,
    tags,
    resource: process?.tags ?? [],
    logs: [...(span.logs ?? [])].sort((a, b) => a.timestamp - b.timestamp),
    depth: 0,
    children: [],
  };
}

const byStart = (a: SpanNode, b: SpanNode) => a.start - b.start;

/** Depth-first order without recursion, so a 10k-deep chain cannot overflow the stack. */
function depthFirst(roots: SpanNode[]): SpanNode[] {
  const order: SpanNode[] = [];
  const stack = [...roots].reverse();
  for (const root of stack) root.depth = 0;
  while (stack.length > 0) {
    const node = stack.pop() as SpanNode;
    order.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) {
      node.children[i].depth = node.depth + 1;
      stack.push(node.children[i]);
    }
  }
  return order;
}

function linkTree(nodes: SpanNode[], byId: Map<string, SpanNode>): SpanNode[] {
  const roots: SpanNode[] = [];
  for (const node of nodes) {
    const parent = node.parentId && node.parentId !== node.id ? byId.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  for (const node of nodes) node.children.sort(byStart);
  return roots.sort(byStart);
}

/** Spans caught in a parent cycle are never reached from a root: cut each cycle at one span. */
function withCycleBreaks(roots: SpanNode[], nodes: SpanNode[], byId: Map<string, SpanNode>): SpanNode[] {
  let order = depthFirst(roots);
  while (order.length < nodes.length) {
    const seen = new Set(order);
    const stray = nodes.filter((n) => !seen.has(n)).sort(byStart)[0];
    const parent = stray.parentId ? byId.get(stray.parentId) : undefined;
    if (parent) parent.children = parent.children.filter((c) => c !== stray);
    roots.push(stray);
    order = depthFirst(roots);
  }
  return order;
}

export function buildTraceModel(trace: JaegerTrace): TraceModel {
  const nodes = trace.spans.map((span) => toNode(span, trace));
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const roots = linkTree(nodes, byId);
  const spans = withCycleBreaks(roots, nodes, byId);
  const services: string[] = [];
  for (const span of spans) {
    if (!services.includes(span.service)) services.push(span.service);
    span.serviceIndex = services.indexOf(span.service);
  }
  let start = Infinity;
  let end = -Infinity;
  for (const node of nodes) {
    start = Math.min(start, node.start);
    end = Math.max(end, node.start + node.duration);
  }
  return {
    traceId: trace.traceID,
    spans,
    byId,
    root: spans.find((s) => s.parentId === null) ?? spans[0] ?? null,
    start: nodes.length ? start : 0,
    end: nodes.length ? end : 0,
    services,
    errorCount: nodes.filter((n) => n.isError).length,
    warnings: [...(trace.warnings ?? []), ...trace.spans.flatMap((s) => s.warnings ?? [])],
  };
}

/** The rows the waterfall shows: depth-first spans, skipping the subtrees of collapsed spans. */
export function visibleSpans(model: TraceModel, isCollapsed: (id: string) => boolean): SpanNode[] {
  const rows: SpanNode[] = [];
  let hiddenBelowDepth = Infinity;
  for (const span of model.spans) {
    if (span.depth > hiddenBelowDepth) continue;
    hiddenBelowDepth = Infinity;
    rows.push(span);
    if (span.children.length > 0 && isCollapsed(span.id)) hiddenBelowDepth = span.depth;
  }
  return rows;
}
