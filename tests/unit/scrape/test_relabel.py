"""Every relabel action of Prometheus 2.42, as a table of (config, input, output)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from meshscope.scrape.config import RelabelConfig
from meshscope.scrape.relabel import relabel

BASE = {"__address__": "web-1:9100", "job": "node", "__meta_env": "Prod", "team": "a"}


@pytest.mark.parametrize("cfg, out", [
    ({"source_labels": ["__address__"], "regex": "(.*):.*", "target_label": "host"}, {**BASE, "host": "web-1"}),
    ({"source_labels": ["job", "team"], "separator": "/", "target_label": "x", "replacement": "${1}!"},
     {**BASE, "x": "node/a!"}),
    ({"source_labels": ["job"], "regex": "nomatch", "target_label": "x"}, BASE),
    ({"source_labels": ["missing"], "target_label": "team"}, {k: v for k, v in BASE.items() if k != "team"}),
    ({"source_labels": ["job"], "regex": "(?P<j>no)de", "target_label": "x", "replacement": "$j-$$"},
     {**BASE, "x": "no-$"}),
    ({"action": "keep", "source_labels": ["job"], "regex": "node|db"}, BASE),
    ({"action": "keep", "source_labels": ["job"], "regex": "no"}, None),
    ({"action": "drop", "source_labels": ["job"], "regex": "node"}, None),
    ({"action": "drop", "source_labels": ["job"], "regex": "NODE"}, BASE),
    ({"action": "keepequal", "source_labels": ["team"], "target_label": "team"}, BASE),
    ({"action": "keepequal", "source_labels": ["job"], "target_label": "team"}, None),
    ({"action": "dropequal", "source_labels": ["job"], "target_label": "team"}, BASE),
    ({"action": "labelmap", "regex": "__meta_(.+)"}, {**BASE, "env": "Prod"}),
    ({"action": "labeldrop", "regex": "te.*"}, {k: v for k, v in BASE.items() if k != "team"}),
    ({"action": "labelkeep", "regex": "__.*|job"}, {k: v for k, v in BASE.items() if k != "team"}),
    ({"action": "lowercase", "source_labels": ["__meta_env"], "target_label": "env"}, {**BASE, "env": "prod"}),
    ({"action": "uppercase", "source_labels": ["job"], "target_label": "J"}, {**BASE, "J": "NODE"}),
    ({"action": "hashmod", "source_labels": ["__address__"], "modulus": 1000, "target_label": "shard"},
     {**BASE, "shard": "203"}),
    ({"source_labels": ["job"], "target_label": "bad-name"}, BASE),
])
def test_actions(cfg: dict[str, Any], out: dict[str, str] | None) -> None:
    assert relabel(BASE, [RelabelConfig(**cfg)]) == out


@pytest.mark.parametrize("cfg, words", [
    ({"action": "replace"}, "requires target_label"),
    ({"action": "hashmod", "target_label": "x"}, "positive modulus"),
    ({"regex": "(unclosed"}, "invalid regex"),
    ({"action": "explode"}, "action"),
])
def test_invalid_configs(cfg: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        RelabelConfig(**cfg)
