"""Pipeline stages on single lines: parsers, label filters, formats, drop/keep, decolorize."""

from __future__ import annotations

import pytest

from meshscope.logql.ast import LogQuery
from meshscope.logql.parser import parse
from meshscope.logql.pipeline import Entry, compile_stages, run

STREAM = {"app": "api"}
TS = 1_700_000_000_123_456_789

# (pipeline, line, expected line, expected labels beyond the stream's; None: the line is dropped)
CASES = [
    ('|= "err"', "an error here", "an error here", {}),
    ('|= "err"', "all good", None, None),
    ('!= "debug"', "debug: x", None, None),
    ('|~ "(?i)TIME.?OUT"', "request timeout", "request timeout", {}),
    ('!~ "^GET"', "GET /", None, None),
    ('|= "a" or "b"', "only b", "only b", {}),
    (
        "| json",
        '{"level":"info","req":{"path":"/x","ms":12.50},"tags":["a"],"ok":true,"n":null}',
        None,
        {"level": "info", "req_path": "/x", "req_ms": "12.50", "ok": "true"},
    ),
    ("| json", '{"app":"other","some-key":1}', None, {"app_extracted": "other", "some_key": "1"}),
    (
        '| json p="req.path", first="tags[0]", missing="x.y"',
        '{"req":{"path":"/x"},"tags":["a","b"]}',
        None,
        {"p": "/x", "first": "a"},
    ),
    ("| json", "not json", None, {"__error__": "JSONParserErr"}),
    (
        "| logfmt",
        'level=warn msg="disk \\"sda\\" full" took=1.5s empty= standalone',
        None,
        {"level": "warn", "msg": 'disk "sda" full', "took": "1.5s"},
    ),
    ("| logfmt --keep-empty", "a=1 b=", None, {"a": "1", "b": ""}),
    ('| logfmt lvl="level"', "level=info x=1", None, {"lvl": "info"}),
    ('| regexp "(?P<method>\\\\w+) (?P<path>/\\\\S*)"', "GET /a/b 200", None, {"method": "GET", "path": "/a/b"}),
    ('| regexp "(?<code>\\\\d{3})$"', "GET /a 404", None, {"code": "404"}),
    (
        '| pattern "<ip> - - [<_>] \\"<method> <uri> <_>\\" <status> <size>"',
        '1.2.3.4 - - [10/Oct/2000:13:55:36] "GET /a.gif HTTP/1.0" 200 2326',
        None,
        {"ip": "1.2.3.4", "method": "GET", "uri": "/a.gif", "status": "200", "size": "2326"},
    ),
    ('| pattern "level=<level> <_>"', "ts=1 level=x", None, {}),
    ("| unpack", '{"_entry":"the line","pod":"p1","n":3}', "the line", {"pod": "p1"}),
    ('| logfmt | level="error"', "level=info", None, None),
    ('| logfmt | level=~"warn|error"', "level=warn", None, {"level": "warn"}),
    ("| logfmt | status >= 500", "status=503", None, {"status": "503"}),
    ("| logfmt | status >= 500", "status=404", None, None),
    ("| logfmt | status >= 500", "other=1", None, None),
    ("| logfmt | status >= 500", "status=abc", None, {"status": "abc", "__error__": "LabelFilterErr"}),
    ("| logfmt | took > 1s", "took=1500ms", None, {"took": "1500ms"}),
    ("| logfmt | took > 1s", "took=900ms", None, None),
    ("| logfmt | size > 1KB", "size=2KiB", None, {"size": "2KiB"}),
    ("| logfmt | size > 1KB", "size=999", None, None),
    ('| logfmt | a="1" and b="2"', "a=1 b=3", None, None),
    ('| logfmt | a="1" or b="2"', "a=0 b=2", None, {"a": "0", "b": "2"}),
    ('| logfmt | (a="1" or b="2"), c!="3"', "a=1 c=3", None, None),
    ('| logfmt | a="1" b="2"', "a=1 b=2", None, {"a": "1", "b": "2"}),
    (
        '| logfmt | line_format "{{.level | ToUpper}}: {{.msg}} [{{.app}}]{{.none}}"',
        "level=warn msg=hi",
        "WARN: hi [api]",
        {"level": "warn", "msg": "hi"},
    ),
    (
        '| line_format "{{ if eq .app \\"api\\" }}API{{ else }}other{{ end }} {{ __line__ | trunc 3 }}"',
        "abcdef",
        "API abc",
        {},
    ),
    (
        '| line_format "{{ printf \\"%05d|%s\\" 42 .app }} {{ len __line__ }} {{ replace \\"a\\" \\"o\\" .app }}"',
        "xyz",
        "00042|api 3 opi",
        {},
    ),
    ('| line_format "{{ regexReplaceAll \\"(\\\\\\\\d+)\\" __line__ \\"<$1>\\" }}"', "id 42 ok", "id <42> ok", {}),
    (
        '| line_format "{{ .app | trimPrefix \\"a\\" | upper }} {{ default \\"-\\" .nope }} {{ div 7 2 }}"',
        "x",
        "PI - 3",
        {},
    ),
    ('| line_format "{{ __timestamp__ | unixEpoch }}"', "x", "1700000000", {}),
    ('| line_format "{{- .app -}}  \\n  x"', "x", "apix", {}),
    (
        '| logfmt | label_format lvl=level, who="{{.user}}@{{.app}}"',
        "level=info user=bob",
        None,
        {"lvl": "info", "user": "bob", "who": "bob@api"},
    ),
    ('| logfmt | label_format a=b, b="{{.a}}"', "a=1 b=2", None, {"a": "2", "b": "1"}),
    ('| logfmt | drop level, user="bob"', "level=info user=bob x=1", None, {"x": "1"}),
    ('| logfmt | drop user="alice"', "user=bob", None, {"user": "bob"}),
    ("| logfmt | keep level", "level=info user=bob", None, {"level": "info", "app": None}),
    ("| decolorize", "\x1b[31mred\x1b[0m text", "red text", {}),
    ('| json | __error__=""', "not json", None, None),
    ('| line_format "{{.level}}" |= "warn"', "x", None, None),
]


def _run(pipeline: str, line: str) -> Entry | None:
    query = parse('{app="api"} ' + pipeline)
    assert isinstance(query, LogQuery)
    entry = Entry(TS, line, dict(STREAM), {"trace_id": "abc"}, frozenset(STREAM))
    return entry if run(compile_stages(query.stages), entry) else None


@pytest.mark.parametrize(
    "pipeline,line,expected_line,expected_labels", CASES, ids=[f"{c[0]}|{c[1][:20]}" for c in CASES]
)
def test_stage(pipeline: str, line: str, expected_line: str | None, expected_labels: dict | None) -> None:
    entry = _run(pipeline, line)
    if expected_labels is None:
        assert entry is None
        return
    assert entry is not None
    assert entry.line == (expected_line if expected_line is not None else line)
    want = {**STREAM, **expected_labels}
    want = {k: v for k, v in want.items() if v is not None}
    got = {k: v for k, v in entry.labels.items() if k != "__error_details__"}
    assert got == want


def test_structured_metadata_is_readable_but_not_a_stream_label() -> None:
    entry = _run('| trace_id="abc" | line_format "{{.trace_id}}"', "x")
    assert entry is not None and entry.line == "abc" and "trace_id" not in entry.labels


def test_error_details_say_why() -> None:
    entry = _run("| json", "{broken")
    assert entry is not None and entry.labels["__error_details__"]
