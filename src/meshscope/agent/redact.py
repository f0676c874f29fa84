"""Masks secrets before a record leaves the host: e-mail addresses, card numbers, bearer tokens
and any configured pattern. Card numbers are masked only when they pass the Luhn check, so
order ids and timestamps of the same length stay readable."""

from __future__ import annotations

import re

from meshscope.agent.config import Redaction
from meshscope.agent.records import LogEntry

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
CARD = re.compile(r"(?<!\d)\d(?:[ \-]?\d){12,18}(?!\d)")
_TOKEN_WORDS = ("bearer", "token", "api", "authorization")  # cheap test before the regex
BEARER = re.compile(r"(?i)\b(bearer|token|api[_-]?key|authorization)([\"']?\s*[:=]?\s*[\"']?\s*)"
                    r"(?:bearer\s+)?([A-Za-z0-9\-._~+/]{8,}=*)")


def luhn_ok(digits: str) -> bool:
    total, double = 0, False
    for ch in reversed(digits):
        d = ord(ch) - 48
        if double:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
        double = not double
    return total % 10 == 0


class Redactor:
    def __init__(self, spec: Redaction) -> None:
        self.spec = spec
        self.mask = spec.replacement
        self.custom = [re.compile(p) for p in spec.patterns]
        self._card = CARD if spec.card_numbers else None

    def text(self, s: str) -> str:
        if self.spec.emails and "@" in s:
            s = EMAIL.sub(self.mask, s)
        low = s.lower() if self.spec.bearer_tokens else ""
        if low and any(w in low for w in _TOKEN_WORDS):
            s = BEARER.sub(lambda m: m.group(1) + m.group(2) + self.mask, s)
        if self._card is not None:
            s = self._card.sub(self._card_mask, s)
        for rx in self.custom:
            s = rx.sub(self.mask, s)
        return s

    def _card_mask(self, m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        return self.mask if 13 <= len(digits) <= 19 and luhn_ok(digits) else m.group(0)

    def apply(self, entry: LogEntry) -> None:
        entry.body = self.text(entry.body)
        for k, v in entry.attributes.items():
            entry.attributes[k] = self.text(v)

    @property
    def active(self) -> bool:
        return self.spec.emails or self.spec.bearer_tokens or self.spec.card_numbers or bool(self.custom)
