from meshscope.agent.container import PartialJoiner, cri_line, docker_line, parse_rfc3339_ns
from meshscope.agent.records import Line


def test_rfc3339_with_nanoseconds() -> None:
    assert parse_rfc3339_ns("2024-01-02T03:04:05.123456789Z") == 1704164645_123456789
    assert parse_rfc3339_ns("2024-01-02T03:04:05Z") == 1704164645_000000000
    assert parse_rfc3339_ns("garbage") == 0


def test_docker_partial_lines_join() -> None:
    joiner = PartialJoiner(1 << 20)
    a = docker_line(Line('{"log":"hello ","stream":"stdout","time":"2024-01-02T03:04:05Z"}', 60))
    b = docker_line(Line('{"log":"world\\n","stream":"stdout","time":"2024-01-02T03:04:05Z"}', 125))
    assert a.partial and not b.partial
    assert joiner.feed(a) is None
    joined = joiner.feed(b)
    assert joined is not None and (joined.text, joined.end, joined.stream) == ("hello world", 125, "stdout")


def test_cri_partial_lines_join() -> None:
    joiner = PartialJoiner(1 << 20)
    p = cri_line(Line("2024-01-02T03:04:05.000000001Z stderr P part one ", 10))
    f = cri_line(Line("2024-01-02T03:04:05.000000002Z stderr F and two", 20))
    assert joiner.feed(p) is None
    out = joiner.feed(f)
    assert out is not None and out.text == "part one and two" and out.stream == "stderr"
    assert out.time_ns == 1704164645_000000001


def test_not_a_container_line_passes_through() -> None:
    line = Line("plain text", 5)
    assert docker_line(line) is line and cri_line(line) is line


def test_an_open_partial_run_holds_the_commit_offset() -> None:
    from meshscope.agent.pipeline import Pipeline, PipelineSpec

    p = Pipeline(PipelineSpec(format="cri"), None, 1 << 16)
    entries, end = p.feed([Line("2024-01-02T03:04:05Z stdout F first", 10),
                           Line("2024-01-02T03:04:05Z stderr P half of a", 20),
                           Line("2024-01-02T03:04:05Z stdout F other stream", 30)])
    assert [e.body for e in entries] == ["first"] and end == 10  # "other stream" waits for stderr
    entries, end = p.feed([Line("2024-01-02T03:04:05Z stderr F  line", 40)])
    assert [e.body for e in entries] == ["other stream", "half of a line"] and end == 40
    p.feed([Line("2024-01-02T03:04:05Z stdout P cut off", 50)])
    entries, end = p.expire(final=True)
    assert [e.body for e in entries] == ["cut off"] and end == 50
