"""Reader for Prometheus' PromQL test-file format (``promql/testdata/*.test``).

Commands: ``load <interval>`` followed by indented series lines
(``metric{a="b"} 1 2+3x4 _ _x2 stale -Inf``), ``clear``, and
``eval[_ordered|_fail] instant at <time> <expr>`` followed by indented expected samples
(``{a="b"} 3`` or a bare scalar). We also read the newer ``eval range from <t> to <t> step <d>``
form, whose expected lines hold one value per step (``_`` for none), for our own range cases.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from meshscope.model.durations import parse_duration
from meshscope.promql.source import STALE_NAN

Labels = tuple[tuple[str, str], ...]
SeriesData = dict[Labels, list[tuple[int, float]]]

_NUMBER = r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[Ii]nf|[Nn]a[Nn])"
_STEP = r"[+-](?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[Ii]nf)"
_ITEM = re.compile(rf"^(?P<a>{_NUMBER}|stale)(?:(?P<b>{_STEP})?x(?P<n>\d+))?$")
_BLANK = re.compile(r"^_(?:x(?P<n>\d+))?$")
_EVAL = re.compile(r"^eval(?:_(?P<kind>fail|ordered))?\s+instant\s+at\s+(?P<at>\S+)\s+(?P<expr>.+)$")
_EVAL_RANGE = re.compile(r"^eval(?:_(?P<kind>fail))?\s+range\s+from\s+(?P<start>\S+)\s+to\s+(?P<end>\S+)\s+"
                         r"step\s+(?P<step>\S+)\s+(?P<expr>.+)$")
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_PAIR = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')\s*,?')


@dataclass
class EvalCase:
    file: str
    line: int
    expr: str
    data: SeriesData
    time_ms: int = 0
    ordered: bool = False
    fail: bool = False
    fail_message: str | None = None
    range_ms: tuple[int, int, int] | None = None  # start, end, step for `eval range`
    expected: list[tuple[Labels | None, list[float | None]]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def duration_ms(text: str) -> int:
    return round(parse_duration(text) * 1000)  # promql_parser's version rejects "0s"


def parse_number(text: str) -> float:
    if text == "stale":
        return float(STALE_NAN)
    return float(text.replace("Inf", "inf").replace("NaN", "nan"))


def parse_values(tokens: list[str]) -> list[float | None]:
    """Expand series notation; None marks an omitted sample."""
    out: list[float | None] = []
    for tok in tokens:
        blank = _BLANK.match(tok)
        if blank:
            out.extend([None] * int(blank.group("n") or 1))
            continue
        m = _ITEM.match(tok)
        if not m:
            raise ValueError(f"bad value {tok!r}")
        value = parse_number(m.group("a"))
        if m.group("n") is None:
            out.append(value)
            continue
        step = parse_number(m.group("b")) if m.group("b") else 0.0
        for _ in range(int(m.group("n")) + 1):  # the series notation includes the start value
            out.append(value)
            value += step
    return out


def parse_series(line: str) -> tuple[Labels, list[str]]:
    """``metric{a="b"} v1 v2`` → (labels, value tokens)."""
    text = line.strip()
    labels: dict[str, str] = {}
    name = _NAME.match(text)
    if name and not text.startswith(("{",)) and not _is_value(name.group(0)):
        labels["__name__"] = name.group(0)
        text = text[name.end():]
    if text.startswith("{"):
        close = _closing_brace(text)
        for m in _PAIR.finditer(text[1:close]):
            labels[m.group(1)] = _unquote(m.group(2))
        text = text[close + 1:]
    return tuple(sorted(labels.items())), text.split()


def _is_value(word: str) -> bool:
    return word.lower() in ("inf", "nan", "stale")


def _closing_brace(text: str) -> int:
    quote = None
    i = 1
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "}":
            return i
        i += 1
    raise ValueError(f"unclosed braces in {text!r}")


def _unquote(text: str) -> str:
    body = text[1:-1]
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in body else body


def parse_file(path: Path) -> list[EvalCase]:
    lines = path.read_text().splitlines()
    cases: list[EvalCase] = []
    data: SeriesData = {}
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        block_start = i
        block = []
        while i < len(lines) and lines[i].strip() and lines[i][:1].isspace():
            if not lines[i].strip().startswith("#"):
                block.append(lines[i])
            i += 1
        if line == "clear":
            data = {}
        elif line.startswith("load "):
            data = dict(data)
            interval = duration_ms(line.split()[1])
            for series_line in block:
                labels, tokens = parse_series(series_line)
                values = parse_values(tokens)
                data[labels] = [(k * interval, v) for k, v in enumerate(values) if v is not None]
        elif line.startswith("eval"):
            cases.append(_eval_case(path.name, block_start, line, block, data))
        else:
            raise ValueError(f"{path.name}:{block_start}: unknown command {line!r}")
    return cases


def _eval_case(file: str, line_no: int, line: str, block: list[str], data: SeriesData) -> EvalCase:
    m = _EVAL.match(line)
    if m:
        case = EvalCase(file, line_no, m.group("expr"), data, time_ms=duration_ms(m.group("at")),
                        ordered=m.group("kind") == "ordered", fail=m.group("kind") == "fail")
    else:
        r = _EVAL_RANGE.match(line)
        if not r:
            raise ValueError(f"{file}:{line_no}: bad eval line {line!r}")
        case = EvalCase(file, line_no, r.group("expr"), data, fail=r.group("kind") == "fail",
                        range_ms=(duration_ms(r.group("start")), duration_ms(r.group("end")),
                                  duration_ms(r.group("step"))))
    for expected in block:
        text = expected.strip()
        if text.startswith("expected_fail_message "):
            case.fail_message = text.split(" ", 1)[1]
        elif _is_number(text):
            case.expected.append((None, [parse_number(text)]))
        else:
            labels, tokens = parse_series(text)
            case.expected.append((labels, parse_values(tokens)))
    return case


def _is_number(text: str) -> bool:
    try:
        return not math.isnan(parse_number(text)) or text.lower().lstrip("+-") == "nan"
    except ValueError:
        return False
