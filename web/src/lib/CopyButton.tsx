// A small button that copies a value and says so for a moment.
import { useEffect, useState } from "react";
import { copyText } from "./clipboard";

export function CopyButton({ text, label = "Copy", testId = "copy" }: { text: string; label?: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 1200);
    return () => window.clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="copy-button"
      title={`${label}: ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`}
      data-testid={testId}
      onClick={(event) => {
        event.stopPropagation();
        copyText(text).then(() => setCopied(true), () => setCopied(false));
      }}
    >
      {copied ? "Copied" : label}
    </button>
  );
}
