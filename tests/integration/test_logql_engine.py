"""LogQL over a fixed corpus in real chDB: exact lines and exact series for each query.

Expected answers are written from the corpus by hand (offsets, counts) or by the plainest Python
over the corpus lines, never by the engine's own code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from meshscope.config import RetentionSettings
from meshscope.errors import BadData, ExecutionError, QueryTimeout
from meshscope.logql.context import QueryLimits
from meshscope.logql.engine import LogQLEngine, RangeQuery
from meshscope.storage import migrate
from meshscope.storage.executor import open_executor
from support import logs_corpus as corp

S = 10**9


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LogQLEngine, int]]:
    ex = open_executor("", Path(tmp_path_factory.mktemp("logql")) / "chdb", "meshscope")
    migrate.apply(ex, RetentionSettings())
    base = corp.base_ns()
    corp.load(ex, base)
    yield LogQLEngine(ex), base
    ex.close()


def lines(setup: tuple[LogQLEngine, int], query: str, limit: int = 1000, backward: bool = False) -> list[str]:
    engine, base = setup
    data = engine.query_range(RangeQuery(query, base, base + 900 * S, 60 * S, limit, backward))
    assert data["resultType"] == "streams"
    entries = sorted((int(ts), line) for s in data["result"] for ts, line in s["values"])
    return [line for _, line in (reversed(entries) if backward else entries)]


def bodies(stream: list[corp.Line], keep: object = lambda line: True) -> list[str]:
    return [line.body for line in stream if keep(line.body)]  # type: ignore[operator]


API, WEB, WORKER = corp.api_lines(), corp.web_lines(), corp.worker_lines()
PROD = sorted(API + WEB, key=lambda line: line.offset_s)

LOG_CASES = [
    ('{service_name="api"}', bodies(API)),
    ('{env="prod"} |= "status=500"', bodies(API, lambda b: "status=500" in b)),
    ('{env="prod"} |= "rendered" != "page 1"', bodies(WEB, lambda b: "rendered" in b and "page 1" not in b)),
    ('{service_name=~"api|web"} |~ "path=/items/[12]"', bodies(API, lambda b: re.search("path=/items/[12]", b))),
    ('{service_name!="api", env="prod"}', bodies(WEB)),
    ('{env=~"prod|dev", service_name!~"a.*|w.b"}', bodies(WORKER)),
    ('{service_name="worker"} |= "zq9xk"', [WORKER[7].body]),
    ('{service_name="worker"} |= "code zq9xk"', [WORKER[7].body]),
    ('{service_name="worker"} |= "ZQ9XK"', []),
    ('{service_name="worker"} |~ "(?i)ZQ9XK"', [WORKER[7].body]),
    ('{service_name="worker"} |= "nothing" or "job 3 "', [WORKER[3].body]),
    ('{service_name="worker"} !~ "finished"', [WORKER[7].body]),
    (
        '{service_name="api"} | logfmt | status >= 400 and took > 150ms',
        bodies(API, lambda b: int(b.split("status=")[1][:3]) >= 400 and int(b.split("took=")[1].split("ms")[0]) > 150),
    ),
    (
        '{service_name="api"} | logfmt | size > 2.5KB or method="GET" and level="warn"',
        bodies(API, lambda b: int(b.split("size=")[1].split("B")[0]) > 2500 or ("GET" in b and "level=warn" in b)),
    ),
    (
        '{service_name="web"} | json | user_id = 2 | line_format "{{.user_name}}: {{.message}}"',
        [f"user2: page {i} rendered" for i in range(20) if i % 4 == 2],
    ),
    (
        '{service_name="web"} | json | latency_ms > 50 | line_format "{{.latency_ms}}"',
        [str(i * 3) for i in range(20) if i * 3 > 50],
    ),
    ('{service_name="worker"} | decolorize |= "job 1 "', ["job 1 finished"]),
    (
        '{service_name="api"} | pattern "level=<level> method=<method> <_>" | level="warn" | line_format "{{.method}}"',
        ["GET" if i % 2 else "POST" for i in range(30) if corp.LEVELS[i % 5] == "warn"],
    ),
    (
        '{service_name="api"} | regexp "path=(?P<path>\\\\S+)" | path="/items/0" | line_format "{{.path}}"',
        ["/items/0"] * 10,
    ),
    ('{service_name="api"} | request_id="r7"', [API[7].body]),
    ('{service_name="api"} | trace_id="' + f"{12:032x}" + '"', [API[12].body]),
    (
        '{service_name="api"} |= "took=1" | logfmt | keep level | line_format "{{.level}}"',
        [corp.LEVELS[i % 5] for i in range(30) if f"took={i * 10}ms".startswith("took=1")],
    ),
    (
        '{service_name="web"} | json | label_format who="{{.user_name}}" | who="user3" | line_format "{{.who}}"',
        ["user3"] * 5,
    ),
    ('{service_name="web"} | logfmt --strict | __error__="LogfmtParserErr" | line_format "x"', []),
    ('{service_name="api"} | json | __error__!="" | line_format "{{.__error__}}"', ["JSONParserErr"] * 30),
]


@pytest.mark.parametrize("query,expected", LOG_CASES, ids=[q for q, _ in LOG_CASES])
def test_log_query(setup: tuple[LogQLEngine, int], query: str, expected: list[str]) -> None:
    assert lines(setup, query) == expected


@pytest.mark.parametrize(
    "filters",
    [
        '| request_id="r7"',
        '| request_id=~"r1.*" or detected_level="warn"',
        '| trace_id!="" | detected_level!="info"',
        '| severity_text="" | env="prod", service_name=~"a.i"',
        '| nope="" | span_id=""',
    ],
)
def test_label_filters_in_sql_match_python(setup: tuple[LogQLEngine, int], filters: str) -> None:
    sql = lines(setup, '{env=~".+"} ' + filters)
    assert sql and sql == lines(setup, '{env=~".+"} | drop no_such_label ' + filters)  # Python from there


@pytest.mark.parametrize(
    "pipeline",
    [
        '| json | level="error"',
        '| logfmt | level="warn" or method="GET", path="/items/1"',
        '| logfmt | env="prod"',
        '| json | user_name="user3" | logfmt',
        '| regexp `job (?P<job>\\d+)` | job="7"',
        '| json | message="page 1 rendered"',
        '| pattern "level=<lvl> <_>" | lvl="error"',
        '| logfmt | request_id="r7"',
        '| json | level="error" | __error__=""',
    ],
)
def test_prefilters_in_sql_change_no_answer(setup: tuple[LogQLEngine, int], pipeline: str) -> None:
    with_prefilter = lines(setup, '{env=~".+"} ' + pipeline)
    assert with_prefilter == lines(setup, '{env=~".+"} | label_format zz="" | drop zz ' + pipeline)
    assert with_prefilter


def test_limit_and_direction(setup: tuple[LogQLEngine, int]) -> None:
    ordered = sorted((line.offset_s, line.body) for line in PROD)  # lines() orders ties by text
    newest = [body for _, body in reversed(ordered)][:5]
    assert lines(setup, '{env="prod"}', limit=5, backward=True) == newest
    oldest = [body for _, body in ordered[:3]]
    assert lines(setup, '{env="prod"}', limit=3) == oldest
    assert lines(setup, '{env="prod"} | logfmt | level="error"', limit=2, backward=True) == [API[28].body, API[23].body]


def test_streams_carry_parsed_labels(setup: tuple[LogQLEngine, int]) -> None:
    engine, base = setup
    data = engine.query_range(
        RangeQuery(
            '{service_name="api"} | logfmt | drop took, size, msg, path, status, method',
            base,
            base + 900 * S,
            S,
            1000,
            True,
        )
    )
    streams = {s["stream"]["level"]: s for s in data["result"]}
    assert set(streams) == {"info", "warn", "error"}
    assert streams["warn"]["stream"] == {"service_name": "api", "env": "prod", "level": "warn"}
    times = [int(ts) for ts, _ in streams["warn"]["values"]]
    assert times == sorted(times, reverse=True) and times[0] == base + 270 * S
    assert data["stats"]["summary"]["totalEntriesReturned"] == 30


def window_count(stream: list[corp.Line], t: int, range_s: int, keep: object = lambda line: True) -> int:
    return sum(1 for line in stream if t - range_s < line.offset_s <= t and keep(line))  # type: ignore[operator]


def matrix(setup: tuple[LogQLEngine, int], query: str, start: int = 60, end: int = 300, step: int = 60) -> dict:
    engine, base = setup
    data = engine.query_range(RangeQuery(query, base + start * S, base + end * S, step * S))
    assert data["resultType"] == "matrix"
    return {
        tuple(sorted(s["metric"].items())): {int(t - base // S): float(v) for t, v in s["values"]}
        for s in data["result"]
    }


def series_of(
    stream: list[corp.Line], range_s: int, steps: range, keep: object = lambda line: True, scale: float = 1.0
) -> dict[int, float]:
    counts = {t: window_count(stream, t, range_s, keep) * scale for t in steps}
    return {t: c for t, c in counts.items() if c}


API_KEY = (("env", "prod"), ("service_name", "api"))
WEB_KEY = (("env", "prod"), ("service_name", "web"))
STEPS = range(60, 301, 60)


def test_count_and_rate_pushed_down(setup: tuple[LogQLEngine, int]) -> None:
    got = matrix(setup, 'count_over_time({env="prod"}[1m])')
    assert got == {API_KEY: series_of(API, 60, STEPS), WEB_KEY: series_of(WEB, 60, STEPS)}
    assert got[API_KEY] == {60: 6, 120: 6, 180: 6, 240: 6, 300: 5}
    got = matrix(setup, 'rate({service_name="api"} |= "level=error" [2m])')
    assert got == {API_KEY: series_of(API, 120, STEPS, lambda line: "level=error" in line.body, 1 / 120)}


def test_python_path_equals_sql_path(setup: tuple[LogQLEngine, int]) -> None:
    for rng, step in (("90s", 60), ("1m", 30), ("45s", 20)):
        sql = matrix(setup, f'count_over_time({{env="prod"}}[{rng}])', step=step)
        python = matrix(setup, f'count_over_time({{env="prod"}} | decolorize [{rng}])', step=step)
        assert sql == python and sql
    grouped = matrix(setup, 'sum without (env) (count_over_time({env=~".+"}[90s]))')
    assert grouped == matrix(setup, 'sum without (env) (count_over_time({env=~".+"} | decolorize [90s]))')
    assert grouped[(("service_name", "api"),)] == series_of(API, 90, STEPS)
    parsed = matrix(setup, 'sum by (level) (count_over_time({service_name="api"} | logfmt [1m]))')
    assert sum(v for series in parsed.values() for v in series.values()) == 29


def test_grouping_by_structured_metadata(setup: tuple[LogQLEngine, int]) -> None:
    """Grafana's volume query: ``detected_level`` comes from the severity; ``drop __error__`` keeps SQL."""
    q = 'sum by (level, detected_level) (count_over_time({env=~".+"} | drop __error__ [5m]))'
    sql = matrix(setup, q, start=300, end=300)
    assert sql == matrix(setup, q.replace("| drop", "| decolorize | drop"), start=300, end=300)
    in_window = [corp.LEVELS[i % 5] for i in range(1, 30)]
    assert sql == {
        (("detected_level", "info"),): {300: float(in_window.count("info"))},
        (("detected_level", "warn"),): {300: float(in_window.count("warn"))},
        (("detected_level", "error"),): {300: float(in_window.count("error"))},
        (): {300: 30.0},  # web and worker lines have no severity
    }
    by_trace = matrix(
        setup, 'sum by (trace_id) (count_over_time({service_name="api"} |= "request 7 " [5m]))', start=300, end=300
    )
    assert by_trace == {(("trace_id", f"{7:032x}"),): {300: 1.0}}


def test_bytes_and_offset(setup: tuple[LogQLEngine, int]) -> None:
    got = matrix(setup, 'bytes_over_time({service_name="worker"}[5m])', start=300, end=300)
    assert got == {
        (("env", "dev"), ("service_name", "worker")): {
            300: float(sum(len(line.body.encode()) for line in WORKER if 0 < line.offset_s <= 300))
        }
    }
    shifted = matrix(setup, 'count_over_time({service_name="api"}[1m] offset 2m)', start=180, end=300)
    assert shifted == {API_KEY: {180: 6, 240: 6, 300: 6}}
    got = matrix(setup, 'bytes_rate({service_name="worker"} | decolorize [5m])', start=300, end=300)
    assert got == {
        (("env", "dev"), ("service_name", "worker")): {
            300: float(
                sum(len(re.sub("\x1b\\[[0-9;]*m", "", line.body)) for line in WORKER if 0 < line.offset_s <= 300)
            )
            / 300
        }
    }


def test_aggregations(setup: tuple[LogQLEngine, int]) -> None:
    got = matrix(setup, 'sum by (level) (count_over_time({service_name="api"} | logfmt [2m]))')
    for level in ("info", "warn", "error"):
        assert got[(("level", level),)] == series_of(
            API, 120, STEPS, lambda line, lv=level: f"level={lv} " in line.body
        )
    assert matrix(setup, 'count(count_over_time({env=~".+"}[5m]))', start=300, end=300) == {(): {300: 3.0}}
    # (0, 300]: api has 29 lines (the one at 0 is outside), web 20, worker 10
    assert matrix(setup, 'max(count_over_time({env="prod"}[5m]))', start=300, end=300) == {(): {300: 29.0}}
    assert matrix(setup, 'min without (env) (count_over_time({env="prod"}[5m]))', start=300, end=300) == {
        (("service_name", "api"),): {300: 29.0},
        (("service_name", "web"),): {300: 20.0},
    }
    assert matrix(setup, 'avg(count_over_time({env="prod"}[5m]))', start=300, end=300) == {(): {300: 24.5}}
    assert matrix(setup, 'stddev(count_over_time({env="prod"}[5m]))', start=300, end=300) == {(): {300: 4.5}}
    assert matrix(setup, 'stdvar(count_over_time({env="prod"}[5m]))', start=300, end=300) == {(): {300: 20.25}}
    assert matrix(setup, 'topk(1, count_over_time({env=~".+"}[5m]))', start=300, end=300) == {API_KEY: {300: 29.0}}
    assert matrix(setup, 'bottomk(1, count_over_time({env=~".+"}[5m]))', start=300, end=300) == {
        (("env", "dev"), ("service_name", "worker")): {300: 10.0}
    }


def test_unwrapped_range_functions(setup: tuple[LogQLEngine, int]) -> None:
    took = {i * 10: i * 10 / 1000 for i in range(30)}  # offset s → seconds
    window = [v for t, v in took.items() if 0 < t <= 60]  # (0, 60]: lines 1..6
    q = '{service_name="api"} | logfmt | keep env, service_name, took | unwrap duration(took) [1m]'
    assert matrix(setup, f"sum_over_time({q})", start=60, end=60) == {API_KEY: {60: pytest.approx(sum(window))}}
    assert matrix(setup, f"avg_over_time({q})", start=60, end=60)[API_KEY][60] == pytest.approx(sum(window) / 6)
    assert matrix(setup, f"max_over_time({q})", start=60, end=60)[API_KEY][60] == pytest.approx(0.06)
    assert matrix(setup, f"min_over_time({q})", start=60, end=60)[API_KEY][60] == pytest.approx(0.01)
    assert matrix(setup, f"first_over_time({q})", start=60, end=60)[API_KEY][60] == pytest.approx(0.01)
    assert matrix(setup, f"last_over_time({q})", start=60, end=60)[API_KEY][60] == pytest.approx(0.06)
    assert matrix(setup, f"quantile_over_time(0.5, {q})", start=60, end=60)[API_KEY][60] == pytest.approx(0.035)
    assert matrix(setup, f"rate({q})", start=60, end=60)[API_KEY][60] == pytest.approx(sum(window) / 60)
    by_method = matrix(
        setup, 'sum_over_time({service_name="api"} | logfmt | unwrap bytes(size) [1m]) by (method)', start=60, end=60
    )
    assert by_method == {(("method", "GET"),): {60: 100 + 300 + 500.0}, (("method", "POST"),): {60: 200 + 400 + 600.0}}
    web = matrix(
        setup,
        'max_over_time({service_name="web"} | json | unwrap latency_ms [5m]) by (service_name)',
        start=300,
        end=300,
    )
    assert web == {(("service_name", "web"),): {300: 57.0}}  # offsets 5..290 → i 0..19, latency 3i


def test_unwrap_errors_fail_unless_filtered(setup: tuple[LogQLEngine, int]) -> None:
    engine, base = setup
    with pytest.raises(ExecutionError, match="SampleExtractionErr"):
        engine.query_range(
            RangeQuery(
                'sum_over_time({service_name="api"} | logfmt | unwrap took [1m])', base + 60 * S, base + 60 * S, 60 * S
            )
        )
    got = matrix(
        setup, 'sum_over_time({service_name="api"} | logfmt | unwrap took | __error__="" [1m])', start=60, end=60
    )
    assert got == {}


def test_binary_operations(setup: tuple[LogQLEngine, int]) -> None:
    per_service = 'sum by (service_name) (count_over_time({env="prod"}[5m]))'
    assert matrix(setup, f"{per_service} * 2 - 10", start=300, end=300) == {
        (("service_name", "api"),): {300: 48.0},
        (("service_name", "web"),): {300: 30.0},
    }
    assert matrix(setup, f"{per_service} > 25", start=300, end=300) == {(("service_name", "api"),): {300: 29.0}}
    assert matrix(setup, f"{per_service} > bool 25", start=300, end=300) == {
        (("service_name", "api"),): {300: 1.0},
        (("service_name", "web"),): {300: 0.0},
    }
    assert matrix(setup, f"100 / {per_service}", start=300, end=300)[(("service_name", "web"),)] == {300: 5.0}
    share = matrix(
        setup,
        f'{per_service} / ignoring (service_name) group_left sum(count_over_time({{env="prod"}}[5m]))',
        start=300,
        end=300,
    )
    assert share == {(("service_name", "api"),): {300: 29 / 49}, (("service_name", "web"),): {300: 20 / 49}}
    errors = 'sum by (service_name) (count_over_time({env="prod"} |~ "error" [5m]))'
    ratio = matrix(setup, f"{errors} / on (service_name) {per_service}", start=300, end=300)
    assert ratio == {(("service_name", "api"),): {300: 6 / 29}, (("service_name", "web"),): {300: 5 / 20}}
    assert matrix(setup, f"{per_service} and on (service_name) {errors} > 5", start=300, end=300) == {
        (("service_name", "api"),): {300: 29.0}
    }
    assert matrix(setup, f"{per_service} unless {per_service} < 25", start=300, end=300) == {
        (("service_name", "api"),): {300: 29.0}
    }
    assert matrix(setup, 'vector(1) or sum(count_over_time({env="prod"}[5m]))', start=300, end=300) == {(): {300: 1.0}}


def test_label_replace(setup: tuple[LogQLEngine, int]) -> None:
    per_service = 'sum by (service_name) (count_over_time({env="prod"}[5m]))'
    got = matrix(setup, f'label_replace({per_service}, "short", "s-$1", "service_name", "(.)p.")', start=300, end=300)
    assert got == {
        (("service_name", "api"), ("short", "s-a")): {300: 29.0},
        (("service_name", "web"),): {300: 20.0},  # no full match: unchanged
    }
    with pytest.raises(ExecutionError, match="same labelset"):  # both lose their only label
        matrix(setup, f'label_replace({per_service}, "service_name", "", "service_name", ".*")', start=300, end=300)


def test_absent_and_instant(setup: tuple[LogQLEngine, int]) -> None:
    engine, base = setup
    assert matrix(setup, 'absent_over_time({service_name="nope", env=~"x"}[1m])', start=60, end=120) == {
        (("service_name", "nope"),): {60: 1.0, 120: 1.0}
    }
    assert matrix(setup, 'absent_over_time({service_name="api"}[1m])') == {}
    data = engine.query_instant('sum(count_over_time({env="prod"}[10m]))', base + 600 * S)
    # (0, 600]: every line but api's first
    assert data["resultType"] == "vector" and data["result"] == [{"metric": {}, "value": [base // S + 600, "49"]}]
    assert engine.query_instant("2 * 3 + 1", base)["result"] == [base // S, "7"]
    with pytest.raises(BadData, match="instant query"):
        engine.query_instant('{env="prod"}', base)


def test_limits(setup: tuple[LogQLEngine, int]) -> None:
    engine, base = setup
    with pytest.raises(BadData, match="max entries limit"):
        engine.query_range(RangeQuery('{env="prod"}', base, base + 600 * S, S, 5001))
    with pytest.raises(BadData, match="maximum resolution"):
        engine.query_range(RangeQuery('rate({env="prod"}[1m])', base, base + 600 * S, S // 100))
    slow = LogQLEngine(engine.executor, QueryLimits(timeout_s=0.0))
    with pytest.raises(QueryTimeout, match="timed out"):
        slow.query_range(RangeQuery('{env="prod"} | json', base, base + 600 * S, S, 10))
    few = LogQLEngine(engine.executor, QueryLimits(max_lines=10))
    with pytest.raises(BadData, match="more than 10 lines"):
        few.query_range(RangeQuery('{env="prod"} | logfmt | status > 1000', base, base + 600 * S, S, 10))
