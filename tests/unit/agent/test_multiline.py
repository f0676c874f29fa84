from meshscope.agent.config import Multiline
from meshscope.agent.multiline import MultilineGrouper
from meshscope.agent.records import Line

JAVA = """2024-01-01 12:00:00 ERROR request failed
java.lang.IllegalStateException: boom
\tat com.shop.Orders.place(Orders.java:42)
\tat com.shop.Api.handle(Api.java:7)
Caused by: java.io.IOException: disk
\tat com.shop.Disk.write(Disk.java:1)
\t... 2 more
2024-01-01 12:00:01 INFO next""".splitlines()

PYTHON = """2024-01-01 12:00:00 ERROR failed
Traceback (most recent call last):
  File "app.py", line 3, in <module>
    main()
ValueError: bad value

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "app.py", line 5, in <module>
KeyError: 'x'
2024-01-01 12:00:01 INFO next""".splitlines()


def _group(preset: str, lines: list[str]) -> list[str]:
    g = MultilineGrouper(Multiline(preset=preset))
    out = []
    for n, text in enumerate(lines):
        out += g.feed(Line(text, n + 1))
    out += g.flush()
    return [ln.text for ln in out]


def test_java_preset_keeps_a_trace_together() -> None:
    records = _group("java", JAVA)
    assert len(records) == 2  # the error line with its trace, the next line
    assert records[0].startswith("2024-01-01 12:00:00 ERROR") and "\njava.lang.IllegalStateException" in records[0]
    assert records[0].endswith("... 2 more") and records[1].endswith("INFO next")


def test_python_preset_keeps_chained_tracebacks_together() -> None:
    records = _group("python", PYTHON)
    assert len(records) == 2 and records[0].count("Traceback") == 2 and records[1].endswith("next")


def test_start_pattern_and_flush_timeout() -> None:
    g = MultilineGrouper(Multiline(start=r"^\d{4}-", flush_timeout=0.5))
    assert g.feed(Line("2024 first", 1)) == []
    assert g.feed(Line("  more", 2)) == []
    assert g.expire(now=0.0) == []
    (rec,) = g.expire(now=10**9)
    assert rec.text == "2024 first\n  more" and rec.end == 2 and not g.pending
