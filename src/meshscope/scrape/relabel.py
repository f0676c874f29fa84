"""Prometheus relabeling: every action of 2.42, applied to a label dict in order.

Regexes are Go RE2 syntax, fully anchored; replacements expand ``$1``, ``${1}``, ``$name`` and
``$$`` as Go's ``Regexp.Expand`` does. A result of ``None`` means the label set was dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache

from meshscope.promql.regex import translate
from meshscope.scrape.config import RelabelConfig

Labels = dict[str, str]
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_TEMPLATE = re.compile(r"\$(?:\$|\{([a-zA-Z0-9_]*)\}|([a-zA-Z0-9_]+))")


@lru_cache(maxsize=1024)
def _anchored(pattern: str) -> re.Pattern[str]:
    return re.compile(f"^(?:{translate(pattern)})$")


def expand(template: str, m: re.Match[str]) -> str:
    def one(t: re.Match[str]) -> str:
        if t.group(0) == "$$":
            return "$"
        name = t.group(1) if t.group(1) is not None else t.group(2)
        if name.isdigit():
            idx = int(name)
            return (m.group(idx) or "") if idx <= (m.re.groups or 0) else ""
        return (m.group(name) or "") if name in m.re.groupindex else ""
    return _TEMPLATE.sub(one, template)


def relabel(labels: Labels, configs: Sequence[RelabelConfig]) -> Labels | None:
    out = dict(labels)
    for cfg in configs:
        if not _apply(out, cfg):
            return None
    return out


def _apply(lb: Labels, cfg: RelabelConfig) -> bool:
    """Apply one step in place; False when the label set is dropped."""
    regex = _anchored(cfg.regex)
    value = cfg.separator.join(lb.get(name, "") for name in cfg.source_labels)
    action = cfg.action
    if action in ("keep", "drop"):
        return (regex.match(value) is not None) == (action == "keep")
    if action in ("keepequal", "dropequal"):
        return (lb.get(cfg.target_label, "") == value) == (action == "keepequal")
    if action == "replace":
        m = regex.match(value)
        if m is not None:
            target, result = expand(cfg.target_label, m), expand(cfg.replacement, m)
            if _LABEL_NAME.match(target):
                _set(lb, target, result)
    elif action in ("lowercase", "uppercase"):
        _set(lb, cfg.target_label, value.lower() if action == "lowercase" else value.upper())
    elif action == "hashmod":
        digest = hashlib.md5(value.encode()).digest()  # noqa: S324 - Prometheus' choice, not security
        _set(lb, cfg.target_label, str(int.from_bytes(digest[8:], "big") % cfg.modulus))
    elif action == "labelmap":
        for name, v in list(lb.items()):
            m = regex.match(name)
            if m is not None:
                lb[expand(cfg.replacement, m)] = v
    else:  # labeldrop / labelkeep
        keep = action == "labelkeep"
        for name in list(lb):
            if (regex.match(name) is not None) != keep:
                del lb[name]
    return True


def _set(lb: Labels, name: str, value: str) -> None:
    if value == "":
        lb.pop(name, None)
    else:
        lb[name] = value
