// The header's time range control: presets, a custom absolute range, auto-refresh.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { formatDateTimeMs, fromDateTimeLocal, toDateTimeLocal } from "../lib/timestamps";
import { describeRange, PRESETS, presetRange, REFRESH_CHOICES } from "../lib/timeRange";
import { useTime } from "./time";

function CustomRangeForm({ onApply }: { onApply: (fromMs: number, toMs: number) => void }) {
  const { resolved } = useTime();
  const [from, setFrom] = useState(toDateTimeLocal(resolved.startUs / 1000));
  const [to, setTo] = useState(toDateTimeLocal(resolved.endUs / 1000));
  const fromMs = fromDateTimeLocal(from);
  const toMs = fromDateTimeLocal(to);
  const problem = Number.isNaN(fromMs) || Number.isNaN(toMs) ? "enter both times" : fromMs >= toMs ? "start must be before end" : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!problem) onApply(fromMs, toMs);
  };
  return (
    <form className="custom-range" onSubmit={submit}>
      <div className="menu-heading">Absolute range</div>
      <label>
        From <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="range-from" />
      </label>
      <label>
        To <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="range-to" />
      </label>
      {problem && <div className="field-problem">{problem}</div>}
      <button type="submit" className="primary" disabled={problem !== null}>
        Apply range
      </button>
    </form>
  );
}

export function TimeRangePicker() {
  const { range, setRange, refreshNow } = useTime();
  const [open, setOpen] = useState(false);
  const anchor = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: MouseEvent) => {
      if (!anchor.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", closeOutside);
    return () => document.removeEventListener("mousedown", closeOutside);
  }, [open]);
  const choose = (changes: { from: string; to: string }) => {
    setRange(changes);
    setOpen(false);
  };

  return (
    <div className="time-picker">
      <div className="picker-anchor" ref={anchor}>
        <button type="button" onClick={() => setOpen(!open)} data-testid="time-range-button" aria-expanded={open}>
          <span aria-hidden>◷</span> {describeRange(range, (ms) => formatDateTimeMs(ms).slice(0, 19))}
        </button>
        {open && (
          <div className="picker-menu" data-testid="time-range-menu">
            <div className="preset-list">
              <div className="menu-heading">Relative</div>
              {PRESETS.map((preset) => (
                <button type="button" key={preset.span} className="menu-item" onClick={() => choose(presetRange(preset.span))}>
                  {preset.label}
                </button>
              ))}
            </div>
            <CustomRangeForm onApply={(fromMs, toMs) => choose({ from: String(fromMs), to: String(toMs) })} />
          </div>
        )}
      </div>
      <button type="button" onClick={refreshNow} title="Refresh now" aria-label="Refresh now">
        ⟳
      </button>
      <select
        aria-label="Auto-refresh"
        title="Auto-refresh"
        value={range.refresh}
        onChange={(e) => setRange({ refresh: e.target.value })}
        data-testid="refresh-select"
      >
        {REFRESH_CHOICES.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.value === "off" ? "Auto-refresh off" : `Every ${choice.label}`}
          </option>
        ))}
      </select>
    </div>
  );
}
