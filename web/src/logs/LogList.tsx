// The result lines, virtualised; a row expands in place to show its labels and fields.
import { useCallback, useState } from "react";
import { VirtualList } from "../lib/VirtualList";
import type { LogLine } from "./loki";
import { expandedHeight, LogRow, ROW_HEIGHT } from "./LogRow";

interface Props {
  lines: LogLine[];
  expanded: string;
  onToggle: (id: string) => void;
  onContext?: (id: string) => void;
  stale?: boolean;
}

export function LogList({ lines, expanded, onToggle, onContext, stale }: Props) {
  const [measured, setMeasured] = useState<{ id: string; height: number } | null>(null);
  const onMeasure = useCallback((id: string, height: number) => setMeasured((m) => (m?.id === id && m.height === height ? m : { id, height })), []);
  const height = useCallback(
    (line: LogLine) => (line.id !== expanded ? ROW_HEIGHT : measured?.id === expanded ? measured.height : expandedHeight(line)),
    [expanded, measured],
  );
  const index = expanded ? lines.findIndex((line) => line.id === expanded) : -1;
  return (
    <VirtualList
      className={`log-list${stale ? " stale" : ""}`}
      items={lines}
      rowHeight={height}
      rowKey={(line) => line.id}
      scrollToIndex={index}
      renderRow={(line) => <LogRow line={line} expanded={line.id === expanded} onToggle={onToggle} onContext={onContext} onMeasure={onMeasure} />}
    />
  );
}
