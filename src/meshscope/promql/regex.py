"""Go RE2 regular-expression syntax → Python ``re`` syntax, for label matchers and label_replace.

Prometheus anchors user regexes (``^(?:…)$``) and evaluates them with Go's RE2. Python's ``re``
differs in a few places that real queries hit: flag groups like ``(?i)`` in the middle of a
pattern (RE2 scopes them to the rest of the enclosing group; Python 3.11 rejects them), ``\\z``,
``\\Q…\\E`` and POSIX classes such as ``[[:alpha:]]``. :func:`translate` rewrites those.
"""

from __future__ import annotations

import re

_FLAG_GROUP = re.compile(r"\(\?([imsU-]+)\)")
_POSIX = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
          "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~",
          "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_",
          "xdigit": "0-9A-Fa-f"}


def translate(pattern: str) -> str:
    out: list[str] = []
    levels: list[list[str]] = [[]]  # per open group: flag sets opened inside it so far
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i = _escape(pattern, i, out)
        elif c == "[":
            i = _char_class(pattern, i, out)
        elif c == "(":
            flags = _FLAG_GROUP.match(pattern, i)
            if flags:
                if "U" in flags.group(1):
                    raise re.error("the U (ungreedy) flag is not supported")
                out.append(f"(?{flags.group(1)}:")
                levels[-1].append(flags.group(1))
                i = flags.end()
                continue
            out.append(c)
            levels.append([])
            i += 1
        elif c == ")":
            out.append(")" * len(levels.pop() if len(levels) > 1 else []) + ")")
            i += 1
        elif c == "|" and levels[-1]:  # flags last to the end of the group, across alternatives
            out.append(")" * len(levels[-1]) + "|" + "".join(f"(?{f}:" for f in levels[-1]))
            i += 1
        else:
            out.append(c)
            i += 1
    out.append(")" * len(levels[0]))
    return "".join(out)


def _escape(pattern: str, i: int, out: list[str]) -> int:
    nxt = pattern[i + 1:i + 2]
    if nxt == "z":
        out.append(r"\Z")
        return i + 2
    if nxt == "Q":
        end = pattern.find(r"\E", i + 2)
        literal = pattern[i + 2:] if end < 0 else pattern[i + 2:end]
        out.append(re.escape(literal))
        return len(pattern) if end < 0 else end + 2
    out.append(pattern[i:i + 2])
    return i + 2


def _char_class(pattern: str, i: int, out: list[str]) -> int:
    j = i + 1
    if pattern[j:j + 1] == "^":
        j += 1
    head = pattern[i:j]
    body = []
    if pattern[j:j + 1] == "]":  # a leading ] is a literal
        body.append("\\]")
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        posix = re.match(r"\[:(\^?)([a-z]+):\]", pattern[j:])
        if posix and posix.group(2) in _POSIX and not posix.group(1):
            body.append(_POSIX[posix.group(2)])
            j += posix.end()
        elif pattern[j] == "\\":
            body.append(pattern[j:j + 2])
            j += 2
        elif pattern[j] == "[":
            body.append("\\[")  # a literal [ inside a class (Python warns about nested sets)
            j += 1
        else:
            body.append(pattern[j])
            j += 1
    out.append(head + "".join(body) + "]")
    return j + 1
