// Lines per level over time as stacked bars; drag across it to zoom the global time range.
import { useRef, useState, type MouseEvent } from "react";
import { formatDateTimeMs } from "../lib/timestamps";
import { LEVEL_COLORS, LEVELS, type Level } from "./severity";
import { timeAtX, type Volume } from "./volume";

const WIDTH = 1000;
const HEIGHT = 90;
const PAD = { top: 4, bottom: 16 };
const MIN_DRAG = 0.004;

interface Props {
  volume: Volume;
  startSec: number;
  endSec: number;
  onZoom: (fromMs: number, toMs: number) => void;
}

function fractionOf(event: MouseEvent<SVGSVGElement>): number {
  const box = event.currentTarget.getBoundingClientRect();
  return box.width > 0 ? Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)) : 0;
}

function Bars({ volume, x, width }: { volume: Volume; x: (sec: number) => number; width: number }) {
  const plot = HEIGHT - PAD.top - PAD.bottom;
  const scale = volume.max > 0 ? plot / volume.max : 0;
  return (
    <>
      {volume.times.map((time, i) => {
        let base = HEIGHT - PAD.bottom;
        const parts = LEVELS.filter((level) => volume.counts[level][i] > 0);
        if (parts.length === 0) return null;
        const total = parts.reduce((sum, level) => sum + volume.counts[level][i], 0);
        return (
          <g key={time} data-testid="volume-bar" data-time={time} data-total={total}>
            <title>{`${formatDateTimeMs(time * 1000)}\n${parts.map((l) => `${l}: ${volume.counts[l][i]}`).join("\n")}`}</title>
            {parts.map((level: Level) => {
              const h = volume.counts[level][i] * scale;
              base -= h;
              return <rect key={level} x={x(time)} y={base} width={width} height={Math.max(h, 0.5)} fill={LEVEL_COLORS[level]} />;
            })}
          </g>
        );
      })}
    </>
  );
}

export function VolumeHistogram({ volume, startSec, endSec, onZoom }: Props) {
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const dragging = useRef(false);
  const span = Math.max(endSec - startSec, 1e-9);
  const x = (sec: number) => ((sec - startSec) / span) * WIDTH;
  const barWidth = Math.max(1, (volume.step / span) * WIDTH - 1);

  const down = (event: MouseEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    dragging.current = true;
    const at = fractionOf(event);
    setDrag({ from: at, to: at });
  };
  const move = (event: MouseEvent<SVGSVGElement>) => {
    if (dragging.current && drag) setDrag({ ...drag, to: fractionOf(event) });
  };
  const up = (event: MouseEvent<SVGSVGElement>) => {
    if (!dragging.current || !drag) return;
    dragging.current = false;
    const to = fractionOf(event);
    setDrag(null);
    const [a, b] = [Math.min(drag.from, to), Math.max(drag.from, to)];
    if (b - a < MIN_DRAG) return;
    onZoom(Math.floor(timeAtX(a, 1, startSec, endSec) * 1000), Math.ceil(timeAtX(b, 1, startSec, endSec) * 1000));
  };

  return (
    <div className="volume" data-testid="volume">
      <svg className="volume-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" data-testid="volume-chart"
        onMouseDown={down} onMouseMove={move} onMouseUp={up} onMouseLeave={() => { dragging.current = false; setDrag(null); }}>
        <line className="axis" x1={0} x2={WIDTH} y1={HEIGHT - PAD.bottom} y2={HEIGHT - PAD.bottom} />
        <Bars volume={volume} x={x} width={barWidth} />
        {drag && (
          <rect className="zoom-selection" data-testid="zoom-selection" x={Math.min(drag.from, drag.to) * WIDTH} y={0}
            width={Math.abs(drag.to - drag.from) * WIDTH} height={HEIGHT - PAD.bottom} />
        )}
      </svg>
      <div className="volume-axis">
        <span>{formatDateTimeMs(startSec * 1000).slice(0, 19)}</span>
        <span className="volume-legend">
          {volume.levels.map((level) => (
            <span key={level} className="legend-item">
              <span className="swatch" style={{ background: LEVEL_COLORS[level] }} />
              {level} {volume.counts[level].reduce((a, b) => a + b, 0)}
            </span>
          ))}
          <span className="muted">max {volume.max} per {volume.step}s · drag to zoom</span>
        </span>
        <span>{formatDateTimeMs(endSec * 1000).slice(0, 19)}</span>
      </div>
    </div>
  );
}
