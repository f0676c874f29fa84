// Shapes of the server's JSON, as the Jaeger v1 query API and meshscope's own search API send them.

export interface Envelope<T> {
  data: T;
  total?: number;
  limit?: number;
  offset?: number;
  errors: { code?: number; msg: string }[] | null;
}

export type TagValue = string | number | boolean;

export interface JaegerTag {
  key: string;
  type?: string;
  value: TagValue;
}

export interface JaegerLog {
  timestamp: number;
  fields: JaegerTag[];
}

export interface JaegerReference {
  refType: "CHILD_OF" | "FOLLOWS_FROM" | string;
  traceID: string;
  spanID: string;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  parentSpanID?: string;
  operationName: string;
  references?: JaegerReference[] | null;
  startTime: number;
  duration: number;
  tags?: JaegerTag[] | null;
  logs?: JaegerLog[] | null;
  processID: string;
  warnings?: string[] | null;
  flags?: number;
}

export interface JaegerProcess {
  serviceName: string;
  tags?: JaegerTag[] | null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings?: string[] | null;
}

/** One row of `/api/ms/traces/search`. */
export interface TraceSummary {
  traceID: string;
  rootService: string;
  rootName: string;
  startTime: number;
  duration: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}
