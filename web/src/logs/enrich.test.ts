import { expect, it } from "vitest";
import { fieldsSql, matchFields, withFields } from "./enrich";
import { linesFromStreams } from "./loki";

const lines = linesFromStreams([
  { stream: { service_name: "pay" }, values: [["1700000000000000002", "boom"], ["1700000000000000001", "it's ok"]] },
  { stream: { service_name: "web" }, values: [["1700000000000000001", "héllo"]] },
]);

it("asks for exactly the lines' times and services", () => {
  expect(fieldsSql(lines)).toBe(
    "SELECT toString(toUnixTimestamp64Nano(timestamp)) AS ns, service_name AS service, substringUTF8(body, 1, 200) AS head, " +
      "severity_text, trace_id, span_id, attributes FROM meshscope.logs WHERE " +
      "timestamp BETWEEN fromUnixTimestamp64Nano(toInt64(1700000000000000001)) AND fromUnixTimestamp64Nano(toInt64(1700000000000000002)) " +
      "AND toUnixTimestamp64Nano(timestamp) IN (1700000000000000002, 1700000000000000001) AND service_name IN ('pay', 'web')",
  );
});

it("matches stored rows to lines by time, service and text, and re-reads level and trace", () => {
  const id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const found = matchFields(lines, [
    { ns: "1700000000000000001", service: "web", head: "héllo", severity_text: "WARN", trace_id: id, span_id: "", attributes: { k: "v" } },
    { ns: "1700000000000000001", service: "pay", head: "other", severity_text: "ERROR", trace_id: "", span_id: "", attributes: {} },
  ]);
  const [boom, ok, hello] = lines;
  expect(found.get(boom.id)).toEqual({});
  expect(found.get(ok.id)).toEqual({});
  expect(found.get(hello.id)).toEqual({ k: "v", severity_text: "WARN", trace_id: id });
  expect(withFields(hello, found.get(hello.id))).toMatchObject({ level: "warn", traceId: id, metadata: { k: "v" } });
  expect(withFields(boom, {})).toBe(boom);
});
