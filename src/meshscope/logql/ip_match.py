"""Loki's ``ip("…")`` filters: one address, a CIDR range or ``first-last``, IPv4 or IPv6.

As a label filter the label's whole value must be an address in the range; as a line filter any
address written in the line counts (candidates are runs that look like IPv4 dotted quads or IPv6
groups with a colon, each checked by :mod:`ipaddress`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPV4 = re.compile(r"(?<![0-9.])\d{1,3}(?:\.\d{1,3}){3}(?![0-9])")
_IPV6 = re.compile(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")


class IpPatternError(ValueError):
    pass


def _address(text: str) -> Address:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise IpPatternError(f"{text.strip()!r} is not an IP address") from None


def ip_matcher(pattern: str) -> Callable[[str], bool]:
    """``value -> in range?`` for ``pattern``; raises :class:`IpPatternError` naming the problem."""
    if "/" in pattern:
        try:
            net = ipaddress.ip_network(pattern.strip(), strict=False)
        except ValueError:
            raise IpPatternError(f"{pattern!r} is not a CIDR range") from None
        return lambda v: _in(v, lambda a: a in net)
    if "-" in pattern:
        first, last = (_address(p) for p in pattern.split("-", 1))
        if first.version != last.version or first > last:  # type: ignore[operator]
            raise IpPatternError(f"{pattern!r}: the range must go from a lower to a higher address of one family")
        return lambda v: _in(v, lambda a: a.version == first.version and first <= a <= last)  # type: ignore[operator]
    one = _address(pattern)
    return lambda v: _in(v, lambda a: a == one)


def _in(value: str, test: Callable[[Address], bool]) -> bool:
    try:
        return test(ipaddress.ip_address(value))
    except ValueError:
        return False


def line_has(matches: Callable[[str], bool], line: str) -> bool:
    """Whether an address written in ``line`` is in the range."""
    return any(matches(m.group()) for m in _IPV4.finditer(line)) or any(
        matches(m.group()) or matches(m.group().rstrip(":.")) for m in _IPV6.finditer(line))
