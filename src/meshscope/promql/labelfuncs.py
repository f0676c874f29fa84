"""``label_replace`` and ``label_join``: rewrite labels, keep values (and the metric name)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from meshscope.promql.errors import EvaluationError
from meshscope.promql.labels import get, is_valid_name, with_label
from meshscope.promql.matchers import compile_anchored
from meshscope.promql.values import StepVector

_TEMPLATE_VAR = re.compile(r"\$(?:\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]+)|(\$))")


def label_replace(vec: StepVector, dst: str, replacement: str, src: str, regex: str) -> StepVector:
    try:
        pattern = compile_anchored(regex)
    except re.error as exc:
        raise EvaluationError(f"invalid regular expression in label_replace(): {regex} ({exc})") from None
    if not is_valid_name(dst):
        raise EvaluationError(f"invalid destination label name in label_replace(): {dst}")
    labels = []
    for lbls in vec.labels:
        match = pattern.fullmatch(get(lbls, src))
        labels.append(with_label(lbls, dst, expand(replacement, match)) if match else lbls)
    return vec.relabeled(labels)


def expand(template: str, match: re.Match[str]) -> str:
    """Go's ``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``; unknown → empty."""
    def one(m: re.Match[str]) -> str:
        if m.group(3):
            return "$"
        name = m.group(1) if m.group(1) is not None else m.group(2)
        try:
            value = match.group(int(name)) if name.isdigit() else match.group(name)
        except IndexError:  # no such group number or name
            return ""
        return value or ""
    return _TEMPLATE_VAR.sub(one, template)


def label_join(vec: StepVector, dst: str, sep: str, sources: Sequence[str]) -> StepVector:
    if not is_valid_name(dst):
        raise EvaluationError(f"invalid destination label name in label_join(): {dst}")
    for src in sources:
        if not is_valid_name(src):
            raise EvaluationError(f"invalid source label name in label_join(): {src}")
    return vec.relabeled([with_label(lb, dst, sep.join(get(lb, s) for s in sources)) for lb in vec.labels])
