// A uPlot time-series chart (loaded as its own chunk): legend that toggles series, hover values, drag to zoom
// the global range, and exemplar points that open their traces.
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { navigate } from "../lib/router";
import { formatDateTimeMs } from "../lib/timestamps";
import { useTime } from "../shell/time";
import { seriesColor } from "./palette";
import { alignSeries, formatValue, type ChartSeries, type Exemplar } from "./prometheus";

export interface ChartProps {
  series: ChartSeries[];
  exemplars?: Exemplar[];
  startSec: number;
  endSec: number;
  height?: number;
  onZoom: (fromMs: number, toMs: number) => void;
}

interface Hover {
  idx: number;
  left: number;
  top: number;
}

interface Placed {
  exemplar: Exemplar;
  left: number;
  top: number;
}

declare global {
  interface Window {
    /** Test hook: the charts on the page, so browser tests can read what a canvas shows. */
    __charts?: uPlot[];
  }
}

const AXIS = { stroke: "#8e9099", grid: { stroke: "rgba(255,255,255,0.06)", width: 1 }, ticks: { stroke: "rgba(255,255,255,0.1)", width: 1 } };

function options(props: ChartProps, width: number, hooks: uPlot.Hooks.Arrays): uPlot.Options {
  return {
    width,
    height: props.height ?? 300,
    legend: { show: false },
    cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
    scales: { x: { time: true, range: () => [props.startSec, props.endSec] } },
    axes: [{ ...AXIS }, { ...AXIS, size: 60, values: (_u, ticks) => ticks.map((v) => formatValue(v)) }],
    series: [{}, ...props.series.map((s, i) => ({ label: s.name, stroke: seriesColor(i), width: 1.5, spanGaps: false, points: { show: false } }))],
    hooks,
  };
}

function useWidth(ref: React.RefObject<HTMLDivElement | null>): number {
  const [width, setWidth] = useState(800);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(Math.max(200, element.clientWidth || 800));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

function placeExemplars(u: uPlot, exemplars: Exemplar[]): Placed[] {
  const width = u.over.clientWidth;
  const height = u.over.clientHeight;
  return exemplars
    .map((exemplar) => ({ exemplar, left: u.valToPos(exemplar.t, "x"), top: u.valToPos(exemplar.value, "y") }))
    .filter((p) => p.left >= 0 && p.left <= width && p.top >= 0 && p.top <= height);
}

function ExemplarMarker({ placed }: { placed: Placed }) {
  const { hrefWithRange } = useTime();
  const { exemplar } = placed;
  const stop = (element: HTMLButtonElement | null) => element?.addEventListener("mousedown", (e) => e.stopPropagation());
  const title = `exemplar ${formatValue(exemplar.value)} at ${formatDateTimeMs(exemplar.t * 1000)}\n${exemplar.series}${exemplar.traceId ? `\ntrace ${exemplar.traceId}` : ""}`;
  return (
    <button ref={stop} type="button" className="exemplar" title={title} style={{ left: placed.left, top: placed.top }}
      data-testid="exemplar" data-trace-id={exemplar.traceId ?? ""} disabled={!exemplar.traceId}
      onClick={() => exemplar.traceId && navigate(hrefWithRange(`/traces/${exemplar.traceId}`))} />
  );
}

function Tooltip({ hover, series, data, hidden }: { hover: Hover; series: ChartSeries[]; data: uPlot.AlignedData; hidden: Set<string> }) {
  const rows = series
    .map((s, i) => ({ s, i, value: data[i + 1][hover.idx] as number | null | undefined }))
    .filter((row) => row.value !== null && row.value !== undefined && !hidden.has(row.s.key))
    .sort((a, b) => (b.value as number) - (a.value as number))
    .slice(0, 12);
  const flip = hover.left > 300;
  return (
    <div className="chart-tooltip" data-testid="chart-tooltip" style={{ left: flip ? undefined : hover.left + 12, right: flip ? `calc(100% - ${hover.left - 12}px)` : undefined, top: hover.top + 12 }}>
      <div className="tooltip-time">{formatDateTimeMs((data[0][hover.idx] as number) * 1000)}</div>
      {rows.map(({ s, i, value }) => (
        <div key={s.key} className="tooltip-row">
          <span className="swatch" style={{ background: seriesColor(i) }} />
          <span className="tooltip-name">{s.name}</span>
          <span className="tooltip-value">{formatValue(value as number)}</span>
        </div>
      ))}
    </div>
  );
}

function Legend({ series, hidden, onToggle }: { series: ChartSeries[]; hidden: Set<string>; onToggle: (key: string) => void }) {
  return (
    <div className="chart-legend" data-testid="chart-legend">
      {series.map((s, i) => (
        <button type="button" key={s.key} className={hidden.has(s.key) ? "legend-item off" : "legend-item"} aria-pressed={!hidden.has(s.key)}
          data-testid="legend-item" data-series={s.key} onClick={() => onToggle(s.key)} title="Show or hide this series">
          <span className="swatch" style={{ background: seriesColor(i) }} />
          {s.name}
        </button>
      ))}
    </div>
  );
}

export default function TimeSeriesChart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const [plot, setPlot] = useState<uPlot | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);
  const [placed, setPlaced] = useState<Placed[]>([]);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const latest = useRef(props);
  latest.current = props;
  const { series, exemplars = [], startSec, endSec } = props;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const { xs, ys } = alignSeries(series);
    const hooks: uPlot.Hooks.Arrays = {
      setSelect: [
        (u) => {
          if (u.select.width < 3) return;
          const from = u.posToVal(u.select.left, "x");
          const to = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          latest.current.onZoom(Math.floor(from * 1000), Math.ceil(to * 1000));
        },
      ],
      setCursor: [(u) => setHover(u.cursor.idx == null || u.cursor.left == null || u.cursor.left < 0 ? null : { idx: u.cursor.idx, left: u.cursor.left, top: u.cursor.top ?? 0 })],
      draw: [(u) => setPlaced(placeExemplars(u, latest.current.exemplars ?? []))],
    };
    const u = new uPlot(options(latest.current, element.clientWidth || 800, hooks), [xs, ...ys], element);
    series.forEach((s, i) => hidden.has(s.key) && u.setSeries(i + 1, { show: false }));
    setPlot(u);
    window.__charts = [...(window.__charts ?? []).filter((c) => c.status === 1 && c !== u), u];
    return () => {
      window.__charts = (window.__charts ?? []).filter((c) => c !== u);
      u.destroy();
      setPlot(null);
    };
  }, [series, exemplars, startSec, endSec]); // hidden series and callbacks are read when the chart is rebuilt

  useEffect(() => {
    if (plot && plot.width !== width) plot.setSize({ width, height: props.height ?? 300 });
  }, [plot, width, props.height]);

  const toggle = (key: string) => {
    const next = new Set(hidden);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setHidden(next);
    const index = series.findIndex((s) => s.key === key);
    if (plot && index >= 0) plot.setSeries(index + 1, { show: !next.has(key) });
  };

  return (
    <div className="ts-chart" data-testid="ts-chart" data-series-count={series.length} data-exemplar-count={exemplars.length}>
      <div ref={box} className="ts-chart-canvas" />
      {plot && createPortal(
        <>
          {placed.map((p, i) => <ExemplarMarker key={`${p.exemplar.t}-${i}`} placed={p} />)}
          {hover && <Tooltip hover={hover} series={series} data={plot.data} hidden={hidden} />}
        </>,
        plot.over,
      )}
      <Legend series={series} hidden={hidden} onToggle={toggle} />
    </div>
  );
}
