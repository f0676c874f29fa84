// A query textarea with completion of label names, label values and metric names.
// Enter runs the query (Shift+Enter for a new line); with suggestions open, Enter or Tab picks one.
import { useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { applyCompletion, completionContext, filterSuggestions, type CompletionContext, type Language } from "./completion";

export type SuggestFn = (context: CompletionContext) => Promise<string[]>;

interface Props {
  value: string;
  onChange: (value: string) => void;
  onRun: () => void;
  language: Language;
  suggest: SuggestFn;
  placeholder?: string;
  testId?: string;
  ariaLabel?: string;
}

const HEADINGS: Record<CompletionContext["kind"], (context: CompletionContext) => string> = {
  value: (context) => `values of ${context.kind === "value" ? context.label : ""}`,
  label: () => "labels",
  field: () => "labels and fields",
  metric: () => "metrics and functions",
};

interface Open {
  context: CompletionContext;
  items: string[];
  active: number;
}

function useSuggestions(suggest: SuggestFn) {
  const [open, setOpen] = useState<Open | null>(null);
  const request = useRef(0);
  const refresh = (text: string, cursor: number, language: Language) => {
    const context = completionContext(text, cursor, language);
    const id = ++request.current;
    if (!context) return setOpen(null);
    suggest(context).then(
      (names) => {
        if (id !== request.current) return;
        const items = filterSuggestions(names, context.prefix);
        setOpen(items.length > 0 ? { context, items, active: 0 } : null);
      },
      () => id === request.current && setOpen(null),
    );
  };
  const close = () => {
    request.current++;
    setOpen(null);
  };
  return { open, setOpen, refresh, close };
}

export function QueryEditor({ value, onChange, onRun, language, suggest, placeholder, testId, ariaLabel }: Props) {
  const area = useRef<HTMLTextAreaElement>(null);
  const pendingCursor = useRef<number | null>(null);
  const { open, setOpen, refresh, close } = useSuggestions(suggest);

  useLayoutEffect(() => {
    const element = area.current;
    if (element && pendingCursor.current !== null) {
      element.setSelectionRange(pendingCursor.current, pendingCursor.current);
      pendingCursor.current = null;
    }
  }, [value]);

  const pick = (item: string) => {
    if (!open) return;
    const next = applyCompletion(value, open.context, item);
    pendingCursor.current = next.cursor;
    onChange(next.text);
    close();
  };

  const listKeys: Record<string, (list: Open) => void> = {
    ArrowDown: (list) => setOpen({ ...list, active: (list.active + 1) % list.items.length }),
    ArrowUp: (list) => setOpen({ ...list, active: (list.active - 1 + list.items.length) % list.items.length }),
    Enter: (list) => pick(list.items[list.active]),
    Tab: (list) => pick(list.items[list.active]),
    Escape: () => close(),
  };

  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const onList = open ? listKeys[event.key] : undefined;
    if (open && onList) {
      event.preventDefault();
      onList(open);
    } else if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      close();
      onRun();
    }
  };

  const lines = Math.min(8, Math.max(1, value.split("\n").length));
  return (
    <div className="query-editor">
      <textarea
        ref={area}
        value={value}
        rows={lines}
        spellCheck={false}
        placeholder={placeholder}
        aria-label={ariaLabel}
        data-testid={testId}
        onChange={(e) => {
          onChange(e.target.value);
          refresh(e.target.value, e.target.selectionStart ?? e.target.value.length, language);
        }}
        onClick={(e) => refresh(e.currentTarget.value, e.currentTarget.selectionStart ?? 0, language)}
        onKeyDown={keyDown}
        onBlur={close}
      />
      {open && (
        <ul className="suggestions" role="listbox" data-testid="suggestions">
          <li className="suggestions-head">{HEADINGS[open.context.kind](open.context)}</li>
          {open.items.map((item, index) => (
            <li
              key={item}
              role="option"
              aria-selected={index === open.active}
              className={index === open.active ? "active" : undefined}
              data-testid="suggestion"
              onMouseDown={(e) => {
                e.preventDefault();
                pick(item);
              }}
            >
              {item}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Caches a loader's answers by key, so typing does not refetch the same list. */
export function cached(load: (key: string) => Promise<string[]>): (key: string) => Promise<string[]> {
  const answers = new Map<string, Promise<string[]>>();
  return (key) => {
    let answer = answers.get(key);
    if (!answer) {
      answer = load(key).catch((error: unknown) => {
        answers.delete(key);
        throw error;
      });
      answers.set(key, answer);
    }
    return answer;
  };
}
