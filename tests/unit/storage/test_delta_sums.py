"""Delta → cumulative running sums, with the OpenTelemetry Collector's deltatocumulative rules."""

from __future__ import annotations

from meshscope.storage.delta_sums import STALE_NS, Point, accumulate

S = 1_000_000_000


def sums(state: dict[int, Point], points: list[Point]) -> list[tuple[int, float]]:
    return [(p.time // S, p.value) for p in accumulate(state, points)]


def test_a_stream_sums_from_its_first_delta_and_keeps_that_start() -> None:
    state: dict[int, Point] = {}
    out = accumulate(state, [Point(1, 10 * S, 0, 5.0), Point(1, 20 * S, 10 * S, 7.0), Point(1, 30 * S, 20 * S, 3.0)])
    assert [(p.time // S, p.value, p.start) for p in out] == [(10, 5.0, 0), (20, 12.0, 0), (30, 15.0, 0)]
    assert state[1].value == 15.0


def test_points_arrive_unsorted_within_a_batch_and_streams_are_apart() -> None:
    pts = [Point(2, 20 * S, 10 * S, 1.0), Point(1, 20 * S, 10 * S, 2.0), Point(1, 10 * S, 0, 1.0),
           Point(2, 10 * S, 0, 4.0)]
    out = accumulate({}, pts)
    assert [(p.stream, p.time // S, p.value) for p in out] == [(1, 10, 1.0), (1, 20, 3.0), (2, 10, 4.0), (2, 20, 5.0)]


def test_replayed_out_of_order_and_older_stream_points_are_dropped() -> None:
    state = {1: Point(1, 30 * S, 5 * S, 15.0)}
    assert sums(state, [Point(1, 30 * S, 20 * S, 3.0)]) == []  # a replay of the last point
    assert sums(state, [Point(1, 25 * S, 20 * S, 3.0)]) == []  # older than the last point
    assert sums(state, [Point(1, 40 * S, 2 * S, 3.0)]) == []  # starts before the stream did
    assert sums(state, [Point(1, 40 * S, 30 * S, 1.5)]) == [(40, 16.5)]


def test_a_gap_in_start_times_keeps_adding() -> None:
    state = {1: Point(1, 30 * S, 0, 15.0)}
    assert sums(state, [Point(1, 90 * S, 60 * S, 2.0)]) == [(90, 17.0)]  # 30s..60s unreported: still one sum


def test_a_stale_stream_starts_over() -> None:
    state = {1: Point(1, 30 * S, 0, 15.0)}
    later = 30 * S + STALE_NS + S
    out = accumulate(state, [Point(1, later, later - 10 * S, 2.0)])
    assert [(p.value, p.start) for p in out] == [(2.0, later - 10 * S)]


def test_histograms_add_buckets_count_and_sum_and_restart_when_bounds_change() -> None:
    state: dict[int, Point] = {}
    h1 = Point(7, 10 * S, 0, count=3, total=0.6, buckets=(1, 2, 0), bounds=(0.1, 1.0))
    h2 = Point(7, 20 * S, 10 * S, count=2, total=5.0, buckets=(0, 1, 1), bounds=(0.1, 1.0))
    h3 = Point(7, 30 * S, 20 * S, count=1, total=0.05, buckets=(1, 0), bounds=(0.5,))
    out = accumulate(state, [h1, h2, h3])
    assert [(p.count, p.total, p.buckets) for p in out] == [(3, 0.6, (1, 2, 0)), (5, 5.6, (1, 3, 1)),
                                                            (1, 0.05, (1, 0))]
    assert out[2].start == 20 * S
