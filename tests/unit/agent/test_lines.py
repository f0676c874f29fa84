import pytest

from meshscope.agent.lines import LineSplitter


def test_lines_carry_the_offset_past_them() -> None:
    s = LineSplitter(100, 1024)
    lines = s.feed(b"ab\ncd\r\nef")
    assert [(ln.text, ln.end) for ln in lines] == [("ab", 103), ("cd", 107)]
    assert s.offset == 107 and s.buffered == 2
    assert [(ln.text, ln.end) for ln in s.feed(b"g\n")] == [("efg", 111)]


@pytest.mark.parametrize("mode,expected", [
    ("split", [("aaaa", 4), ("aaaa", 8), ("aa", 11), ("b", 13)]),
    ("truncate", [("aaaa", 4), ("b", 13)]),
])
def test_long_lines_never_stall(mode: str, expected: list) -> None:
    s = LineSplitter(0, 4, mode)
    out = s.feed(b"aaaaaaaaaa")
    out += s.feed(b"\nb\n")
    assert [(ln.text, ln.end) for ln in out] == expected


def test_rest_emits_the_unterminated_tail() -> None:
    s = LineSplitter(0, 64)
    assert s.feed(b"x\ny") and [ln.text for ln in s.rest()] == ["y"] and s.offset == 3


def test_invalid_utf8_is_replaced() -> None:
    assert LineSplitter(0, 64).feed(b"\xff ok\n")[0].text == "\ufffd ok"
