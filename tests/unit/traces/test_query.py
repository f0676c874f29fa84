import pytest

from meshscope.errors import BadData
from meshscope.traces.query import TraceSearch, duration_ns, parse_tags


@pytest.mark.parametrize("text, tags", [
    ("", {}),
    ('{"http.status_code": 500, "error": true}', {"http.status_code": "500", "error": "true"}),
    ("a=1 b=two", {"a": "1", "b": "two"}),
    ('msg="hello world" x=1', {"msg": "hello world", "x": "1"}),
])
def test_parse_tags(text: str, tags: dict[str, str]) -> None:
    assert parse_tags(text) == tags


@pytest.mark.parametrize("text", ["{bad json", "[1]", "novalue"])
def test_parse_tags_errors(text: str) -> None:
    with pytest.raises(BadData, match="tags"):
        parse_tags(text)


def test_where_quotes_values_and_maps_special_tags() -> None:
    s = TraceSearch(0, 10, service="o'brien", tags={"error": "true", "span.kind": "server", "k": "v'1"},
                    min_duration_ns=5, status="ok")
    sql = s.where()
    assert "service_name = 'o\\'brien'" in sql
    assert "status_code = 'error'" in sql and "kind = 'server'" in sql
    assert "(attributes['k'] = 'v\\'1' OR resource_attributes['k'] = 'v\\'1')" in sql
    assert "duration_ns >= 5" in sql and "status_code != 'error'" in sql


def test_duration_param() -> None:
    assert duration_ns("minDuration", "1.5ms") == 1_500_000
    assert duration_ns("minDuration", "") is None
    with pytest.raises(BadData, match="maxDuration"):
        duration_ns("maxDuration", "soon")
