"""The ``json``, ``logfmt``, ``regexp``, ``pattern`` and ``unpack`` stages: a line in, labels out.

Each returns the labels it found, or raises :class:`ParseFailure` with Loki's error label value
(``JSONParserErr``...). Keys are sanitised as Loki does (anything but ``[a-zA-Z0-9_]`` → ``_``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from meshscope.logql import ast
from meshscope.logql.cursor import go_regex
from meshscope.logql.pattern import compile_pattern

_BAD_KEY_CHARS = re.compile(r"[^a-zA-Z0-9_]")
_LOGFMT = re.compile(r'\s*([^\s=]*)(=?)("(?:[^"\\]|\\.)*"|[^\s"]*)')
_PATH = re.compile(r'\.?([a-zA-Z_][a-zA-Z0-9_\-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')

Extract = Callable[[str], dict[str, str]]
_NUMBERS_AS_TEXT = json.JSONDecoder(parse_float=str, parse_int=str)  # one decoder: building one costs
_PLAIN_JSON = json.JSONDecoder()


class ParseFailure(Exception):
    def __init__(self, error: str, details: str) -> None:
        super().__init__(details)
        self.error, self.details = error, details


@lru_cache(maxsize=4096)
def sanitize(key: str) -> str:
    key = _BAD_KEY_CHARS.sub("_", key)
    return "_" + key if key[:1].isdigit() else key


def _json_text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    return json.dumps(v, separators=(",", ":"))


def _load_json(line: str, numbers_as_text: bool = True) -> Any:
    """Numbers stay as written (``1.50`` is not ``1.5``), as Loki's parser keeps the bytes."""
    try:
        return (_NUMBERS_AS_TEXT if numbers_as_text else _PLAIN_JSON).decode(line)
    except ValueError as exc:
        raise ParseFailure("JSONParserErr", f"{exc}") from None


def _flatten(obj: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    for key, value in obj.items():
        name = prefix + sanitize(key) if prefix else sanitize(key)
        if isinstance(value, dict):
            _flatten(value, name + "_", out)
        elif isinstance(value, list) or value is None:
            continue
        else:
            out[name] = _json_text(value)


def _path_value(obj: Any, path: str) -> str | None:
    for m in _PATH.finditer(path):
        if m.group(2) is not None:
            idx = int(m.group(2))
            obj = obj[idx] if isinstance(obj, list) and idx < len(obj) else None
        else:
            key = m.group(1) or json.loads(f'"{m.group(3)}"')
            obj = obj.get(key) if isinstance(obj, dict) else None
        if obj is None:
            return None
    return _json_text(obj) if not isinstance(obj, (dict, list)) else json.dumps(obj, separators=(",", ":"))


def json_parser(stage: ast.JsonParser) -> Extract:
    def extract(line: str) -> dict[str, str]:
        obj = _load_json(line)
        if not isinstance(obj, dict):
            raise ParseFailure("JSONParserErr", "a JSON object is expected")
        if stage.params:
            found = {name: _path_value(obj, path) for name, path in stage.params}
            return {k: v for k, v in found.items() if v is not None}
        out: dict[str, str] = {}
        _flatten(obj, "", out)
        return out
    return extract


def unpack_parser(_: ast.UnpackParser) -> Extract:
    def extract(line: str) -> dict[str, str]:
        obj = _load_json(line, numbers_as_text=False)
        if not isinstance(obj, dict):
            raise ParseFailure("JSONParserErr", "a JSON object is expected")
        return {sanitize(k) if k != "_entry" else k: v for k, v in obj.items() if isinstance(v, str)}
    return extract


def logfmt_parser(stage: ast.LogfmtParser) -> Extract:
    wanted = {path: name for name, path in stage.params}
    strict, keep_empty = stage.strict, stage.keep_empty

    def extract(line: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, has_value, raw in _LOGFMT.findall(line):
            if not key:
                if has_value and strict:
                    raise ParseFailure("LogfmtParserErr", "logfmt syntax error: unexpected '='")
                continue
            value = raw
            if raw[:1] == '"':
                try:
                    value = str(json.loads(raw))
                except ValueError:
                    if strict:
                        raise ParseFailure("LogfmtParserErr",
                                           f"logfmt syntax error: bad quoted value for {key}") from None
                    continue
            if value or keep_empty:
                out[sanitize(key)] = value
        if wanted:
            return {wanted[k]: v for k, v in out.items() if k in wanted}
        return out
    return extract


def regexp_parser(stage: ast.RegexpParser) -> Extract:
    rx = re.compile(go_regex(stage.pattern))

    def extract(line: str) -> dict[str, str]:
        m = rx.search(line)
        if not m:
            return {}
        return {name: value for name, value in m.groupdict().items() if value is not None}
    return extract


def pattern_parser(stage: ast.PatternParser) -> Extract:
    return compile_pattern(stage.pattern).match


PARSERS: dict[type, Callable[[Any], Extract]] = {
    ast.JsonParser: json_parser, ast.LogfmtParser: logfmt_parser, ast.RegexpParser: regexp_parser,
    ast.PatternParser: pattern_parser, ast.UnpackParser: unpack_parser,
}
