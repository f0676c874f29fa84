// An instant query's answer as a table: one row per series (or the scalar/string), value at the evaluation time.
import { formatDateTimeMs } from "../lib/timestamps";
import { seriesName, type PromData } from "./prometheus";

function rowsOf(data: PromData): { name: string; value: string; time: number }[] {
  switch (data.resultType) {
    case "vector":
      return data.result.map(({ metric, value }) => ({ name: seriesName(metric), value: value[1], time: value[0] }));
    case "matrix":
      return data.result.map(({ metric, values }) => ({
        name: seriesName(metric),
        value: values.map(([t, v]) => `${v} @${t}`).join("\n"),
        time: values.at(-1)?.[0] ?? 0,
      }));
    case "scalar":
    case "string":
      return [{ name: data.resultType, value: data.result[1], time: data.result[0] }];
  }
}

export function InstantTable({ letter, data, time }: { letter: string; data: PromData; time: number }) {
  const rows = rowsOf(data);
  return (
    <div className="instant-table" data-testid="instant-table">
      <div className="result-meta muted">
        {letter && <strong className="query-letter">{letter}</strong>} {data.resultType} · {rows.length} {rows.length === 1 ? "result" : "results"} at{" "}
        {formatDateTimeMs(time * 1000)}
      </div>
      {rows.length === 0 ? (
        <p className="empty-state">Empty result: no series matched at this time.</p>
      ) : (
        <table className="series-table">
          <thead>
            <tr>
              <th>Series</th>
              <th className="value">Value</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={index} data-testid="instant-row">
                <td className="series-name">{row.name}</td>
                <td className="value" title={row.value}>{data.resultType === "matrix" ? <pre>{row.value}</pre> : row.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
