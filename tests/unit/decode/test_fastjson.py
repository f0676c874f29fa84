"""orjson with the standard library's tolerance for lone surrogates."""

from __future__ import annotations

import json

import pytest

from meshscope.decode import fastjson


def test_round_trip_and_lone_surrogates() -> None:
    assert fastjson.loads('{"a": [1, "é"]}') == {"a": [1, "é"]}
    odd = fastjson.loads('{"s": "x\\ud800y"}')
    assert odd == {"s": "x\ud800y"}
    assert json.loads(fastjson.dumps(odd)) == odd
    assert fastjson.dumps({"ts": [1_800_000_000_000_000_000]}) == b'{"ts":[1800000000000000000]}'


def test_syntax_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        fastjson.loads("{nope")
