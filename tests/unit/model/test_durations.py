import pytest

from meshscope.model.durations import parse_duration, parse_size


@pytest.mark.parametrize("text, seconds", [
    ("15s", 15), ("1h30m", 5400), ("500ms", 0.5), ("1.5s", 1.5), ("7d", 604800), ("2", 2), (3, 3),
    ("100us", 1e-4), ("250µs", 2.5e-4), ("1w", 604800),
])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "5x", "s5", "1h x", "--1s"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


@pytest.mark.parametrize("text, size", [("16MiB", 16 * 1024**2), ("1GB", 10**9), ("512", 512), ("64KiB", 65536)])
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_bad_size() -> None:
    with pytest.raises(ValueError, match="invalid size"):
        parse_size("lots")
