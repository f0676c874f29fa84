// A list that renders only the rows in view (plus a margin), so 10k rows scroll smoothly.
import { useLayoutEffect, useRef, useState, type ReactNode } from "react";

/** Rows [first, last) to render for a scroll position; pure, so it is easy to test. */
export function visibleWindow(count: number, rowHeight: number, scrollTop: number, height: number, overscan: number) {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last };
}

// happy-dom and hidden containers report 0; assume a screenful until a real size is known.
const FALLBACK_HEIGHT = 800;

interface Props<T> {
  items: T[];
  rowHeight: number;
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

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || scrollToIndex === undefined || scrollToIndex < 0) return;
    const top = scrollToIndex * rowHeight;
    const view = element.clientHeight || FALLBACK_HEIGHT;
    if (top < element.scrollTop || top + rowHeight > element.scrollTop + view) {
      element.scrollTop = Math.max(0, top - view / 3);
      setScrollTop(element.scrollTop);
    }
  }, [scrollToIndex, rowHeight]);

  const { first, last } = visibleWindow(items.length, rowHeight, scrollTop, height, overscan);
  const rows: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <div key={rowKey(items[index])} className="virtual-row" style={{ top: index * rowHeight, height: rowHeight }}>
        {renderRow(items[index], index)}
      </div>,
    );
  }
  return (
    <div ref={ref} className={className} style={{ overflowY: "auto" }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <div className="virtual-content" style={{ height: items.length * rowHeight, position: "relative" }}>
        {children}
        {rows}
      </div>
    </div>
  );
}
