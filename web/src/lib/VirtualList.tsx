// A list that renders only the rows in view (plus a margin), so 10k rows scroll smoothly.
import { useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";

/** Rows [first, last) to render for a scroll position; pure, so it is easy to test. */
export function visibleWindow(count: number, rowHeight: number, scrollTop: number, height: number, overscan: number) {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last };
}

/** Top offset of every row and the total height (the last entry), for rows of different heights. */
export function rowOffsets(heights: number[]): number[] {
  const offsets = new Array<number>(heights.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < heights.length; i++) offsets[i + 1] = offsets[i] + heights[i];
  return offsets;
}

/** Rows [first, last) to render when rows differ in height; `offsets` as rowOffsets makes them. */
export function variableWindow(offsets: number[], scrollTop: number, height: number, overscan: number) {
  const count = offsets.length - 1;
  const rowAt = (y: number) => {
    let [low, high] = [0, count];
    while (low < high) {
      const mid = (low + high) >> 1;
      if (offsets[mid + 1] <= y) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  return { first: Math.max(0, rowAt(scrollTop) - overscan), last: Math.min(count, rowAt(scrollTop + height) + 1 + overscan) };
}

// happy-dom and hidden containers report 0; assume a screenful until a real size is known.
const FALLBACK_HEIGHT = 800;

interface Props<T> {
  items: T[];
  /** One height for all rows, or each row's own (e.g. an expanded log line). */
  rowHeight: number | ((item: T, index: number) => number);
  rowKey: (item: T) => string;
  renderRow: (item: T, index: number) => ReactNode;
  /** Brought into view when it changes (e.g. the selected row from the URL). */
  scrollToIndex?: number;
  overscan?: number;
  className?: string;
  children?: ReactNode;
}

function useHeight(ref: React.RefObject<HTMLDivElement | null>): number {
  const [height, setHeight] = useState(FALLBACK_HEIGHT);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setHeight(element.clientHeight || FALLBACK_HEIGHT);
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return height;
}

export function VirtualList<T>({ items, rowHeight, rowKey, renderRow, scrollToIndex, overscan = 12, className, children }: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const height = useHeight(ref);
  const offsets = useMemo(
    () => (typeof rowHeight === "number" ? null : rowOffsets(items.map((item, index) => rowHeight(item, index)))),
    [items, rowHeight],
  );
  const topOf = (index: number) => (offsets ? offsets[index] : index * (rowHeight as number));
  const heightOf = (index: number) => (offsets ? offsets[index + 1] - offsets[index] : (rowHeight as number));

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || scrollToIndex === undefined || scrollToIndex < 0 || scrollToIndex >= items.length) return;
    const top = topOf(scrollToIndex);
    const view = element.clientHeight || FALLBACK_HEIGHT;
    // A row taller than half the view (an expanded log line) only needs its top in view.
    if (top < element.scrollTop || top + Math.min(heightOf(scrollToIndex), view / 2) > element.scrollTop + view) {
      element.scrollTop = Math.max(0, top - view / 3);
      setScrollTop(element.scrollTop);
    }
  }, [scrollToIndex, rowHeight]);

  const { first, last } = offsets
    ? variableWindow(offsets, scrollTop, height, overscan)
    : visibleWindow(items.length, rowHeight as number, scrollTop, height, overscan);
  const total = offsets ? offsets[items.length] : items.length * (rowHeight as number);
  const rows: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <div key={rowKey(items[index])} className="virtual-row" style={{ top: topOf(index), height: heightOf(index) }}>
        {renderRow(items[index], index)}
      </div>,
    );
  }
  return (
    <div ref={ref} className={className} style={{ overflowY: "auto" }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <div className="virtual-content" style={{ height: total, position: "relative" }}>
        {children}
        {rows}
      </div>
    </div>
  );
}
