"""Functions for ``line_format``/``label_format`` templates, and rendering a parsed template.

Names and argument orders follow Loki's docs: Go ``strings`` style (``ToUpper``, ``Replace s old
new n``, ``TrimPrefix s p``) and Sprig style (``upper``, ``replace old new s``, ``trimPrefix p s``)
so a pipeline ``{{ .x | trimPrefix "p" }}`` passes the piped value last, as Go does.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from meshscope.logql.template import Call, Field, If, Literal, Node, Pipeline, TemplateError
from meshscope.logql.values import parse_bytes, parse_go_duration


def _s(v: Any) -> str:
    return to_text(v)


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def _int(v: Any) -> int:
    return int(_num(v))


def _go_replace(s: Any, old: Any, new: Any, n: Any) -> str:
    return _s(s).replace(_s(old), _s(new), _int(n) if _int(n) >= 0 else -1)


def _substr(start: Any, end: Any, s: Any) -> str:
    text = _s(s)
    a, b = _int(start), _int(end)
    return text[a:] if b < 0 or b > len(text) else text[a:b]


def _trunc(n: Any, s: Any) -> str:
    text, k = _s(s), _int(n)
    return text[:k] if k >= 0 else text[k:]


def _regex_replace(literal: bool) -> Callable[[Any, Any, Any], str]:
    def replace(pattern: Any, s: Any, repl: Any) -> str:
        try:
            rx = re.compile(_s(pattern))
        except re.error as exc:
            raise TemplateError(f"regexReplaceAll: {exc}") from None
        if literal:
            return rx.sub(lambda _: _s(repl), _s(s))
        return rx.sub(re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", _s(repl)), _s(s))
    return replace


def _date(fmt: Any, t: Any) -> str:
    """Go reference-time layouts (``2006-01-02 15:04:05``) in the commonest parts."""
    when = t if isinstance(t, dt.datetime) else dt.datetime.fromtimestamp(_num(t), dt.UTC)
    layout = _s(fmt)
    for go, py in (("2006", "%Y"), ("01", "%m"), ("02", "%d"), ("15", "%H"), ("04", "%M"), ("05", "%S"),
                   ("Jan", "%b"), ("Mon", "%a"), ("MST", "%Z")):
        layout = layout.replace(go, py)
    return when.strftime(layout)


def _default(d: Any, v: Any = "") -> Any:
    return v if _truthy(v) else d


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ToLower": lambda s: _s(s).lower(), "ToUpper": lambda s: _s(s).upper(),
    "lower": lambda s: _s(s).lower(), "upper": lambda s: _s(s).upper(), "title": lambda s: _s(s).title(),
    "Replace": _go_replace, "replace": lambda old, new, s: _s(s).replace(_s(old), _s(new)),
    "Trim": lambda s, cut: _s(s).strip(_s(cut)), "TrimLeft": lambda s, cut: _s(s).lstrip(_s(cut)),
    "TrimRight": lambda s, cut: _s(s).rstrip(_s(cut)), "TrimSpace": lambda s: _s(s).strip(),
    "TrimPrefix": lambda s, p: _s(s).removeprefix(_s(p)), "TrimSuffix": lambda s, p: _s(s).removesuffix(_s(p)),
    "trim": lambda s: _s(s).strip(), "trimAll": lambda cut, s: _s(s).strip(_s(cut)),
    "trimPrefix": lambda p, s: _s(s).removeprefix(_s(p)), "trimSuffix": lambda p, s: _s(s).removesuffix(_s(p)),
    "trunc": _trunc, "substr": _substr, "repeat": lambda n, s: _s(s) * max(_int(n), 0),
    "contains": lambda sub, s: _s(sub) in _s(s), "hasPrefix": lambda p, s: _s(s).startswith(_s(p)),
    "hasSuffix": lambda p, s: _s(s).endswith(_s(p)), "indent": lambda n, s: " " * _int(n) + _s(s),
    "nindent": lambda n, s: "\n" + " " * _int(n) + _s(s), "len": lambda s: len(_s(s)),
    "count": lambda pattern, s: len(re.findall(_s(pattern), _s(s))),
    "regexReplaceAll": _regex_replace(False), "regexReplaceAllLiteral": _regex_replace(True),
    "alignLeft": lambda n, s: _s(s)[:_int(n)].ljust(_int(n)),
    "alignRight": lambda n, s: _s(s)[-_int(n):].rjust(_int(n)),
    "urlencode": lambda s: urllib.parse.quote_plus(_s(s)), "urldecode": lambda s: urllib.parse.unquote_plus(_s(s)),
    "b64enc": lambda s: base64.b64encode(_s(s).encode()).decode(),
    "b64dec": lambda s: base64.b64decode(_s(s).encode()).decode(errors="replace"),
    "add": lambda a, b: _int(a) + _int(b), "sub": lambda a, b: _int(a) - _int(b),
    "mul": lambda a, b: _int(a) * _int(b), "div": lambda a, b: _int(a) // _int(b) if _int(b) else 0,
    "mod": lambda a, b: _int(a) % _int(b) if _int(b) else 0,
    "addf": lambda a, b: _num(a) + _num(b), "subf": lambda a, b: _num(a) - _num(b),
    "mulf": lambda a, b: _num(a) * _num(b), "divf": lambda a, b: _num(a) / _num(b) if _num(b) else math.inf,
    "max": lambda *a: max(_int(x) for x in a), "min": lambda *a: min(_int(x) for x in a),
    "maxf": lambda *a: max(_num(x) for x in a), "minf": lambda *a: min(_num(x) for x in a),
    "abs": lambda a: abs(_num(a)), "ceil": lambda a: float(math.ceil(_num(a))),
    "floor": lambda a: float(math.floor(_num(a))), "round": lambda a, p=0: round(_num(a), _int(p)),
    "default": _default, "printf": lambda fmt, *a: _printf(_s(fmt), a),
    "eq": lambda a, *b: any(a == x for x in b), "ne": lambda a, b: a != b,
    "lt": lambda a, b: _cmp(a, b) < 0, "le": lambda a, b: _cmp(a, b) <= 0,
    "gt": lambda a, b: _cmp(a, b) > 0, "ge": lambda a, b: _cmp(a, b) >= 0,
    "and": lambda *a: next((x for x in a if not _truthy(x)), a[-1]),
    "or": lambda *a: next((x for x in a if _truthy(x)), a[-1]), "not": lambda a: not _truthy(a),
    "date": _date, "unixEpoch": lambda t: int(_as_time(t).timestamp()),
    "unixEpochMillis": lambda t: int(_as_time(t).timestamp() * 1000),
    "unixToTime": lambda s: dt.datetime.fromtimestamp(_num(s), dt.UTC),
    "toDate": lambda layout, s: _to_date(s), "now": lambda: dt.datetime.now(dt.UTC),
    "bytes": lambda s: parse_bytes(_s(s)), "duration": lambda s: parse_go_duration(_s(s)) / 1e9,
    "duration_seconds": lambda s: parse_go_duration(_s(s)) / 1e9,
    "__line__": lambda: "", "__timestamp__": lambda: dt.datetime.fromtimestamp(0, dt.UTC),
}


def _cmp(a: Any, b: Any) -> int:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return (a > b) - (a < b)
    return (_s(a) > _s(b)) - (_s(a) < _s(b))


def _as_time(t: Any) -> dt.datetime:
    return t if isinstance(t, dt.datetime) else dt.datetime.fromtimestamp(_num(t), dt.UTC)


def _to_date(s: Any) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(_s(s))
    except ValueError:
        return dt.datetime.fromtimestamp(0, dt.UTC)


def _printf(fmt: str, args: tuple[Any, ...]) -> str:
    py = re.sub(r"%v|%q", "%s", fmt)
    try:
        return py % tuple(to_text(a) if not isinstance(a, (int, float)) else a for a in args)
    except (TypeError, ValueError):
        return fmt


def _truthy(v: Any) -> bool:
    return v != "" if isinstance(v, str) else bool(v)


def to_text(v: Any) -> str:
    """A value printed the way Go's template prints it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e21 else repr(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC")
    return str(v)


class RenderContext:
    """What a template sees: the labels, the current line and its timestamp."""

    def __init__(self, labels: Mapping[str, str], line: str, ts_ns: int) -> None:
        self.labels, self.line, self.ts_ns = labels, line, ts_ns

    def call(self, call: Call, piped: tuple[Any, ...]) -> Any:
        if call.name == "__line__":
            return self.line
        if call.name == "__timestamp__":
            return dt.datetime.fromtimestamp(self.ts_ns / 1e9, dt.UTC)
        args = tuple(self.value(a) for a in call.args) + piped
        try:
            return FUNCTIONS[call.name](*args)
        except TypeError:
            raise TemplateError(f"wrong number of arguments for {call.name}: {len(args)}") from None

    def value(self, node: Any) -> Any:
        if isinstance(node, Field):
            return self.labels.get(node.name, "")
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Call):
            return self.call(node, ())
        result = self.value(node.commands[0])
        for cmd in node.commands[1:]:
            result = self.call(cmd, (result,))
        return result


def render(nodes: tuple[Node, ...], ctx: RenderContext) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Pipeline):
            out.append(to_text(ctx.value(node)))
        elif isinstance(node, If):
            out.append(_render_if(node, ctx))
    return "".join(out)


def _render_if(node: If, ctx: RenderContext) -> str:
    for condition, body in node.branches:
        if _truthy(ctx.value(condition)):
            return render(body, ctx)
    return render(node.otherwise, ctx)
