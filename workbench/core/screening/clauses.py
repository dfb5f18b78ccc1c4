"""Clauses: the units that negation scope, language detection and scene rules work on.

A clause ends at sentence punctuation (Latin and CJK), a semicolon, or a line break. Offsets
are Python string indices into the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_BOUNDARY = re.compile(r"[。！？；]+|[.!?;]+(?=\s|$|[\"')\]])|\n+")
# Every boundary starts with one of these. Finding them with a plain character class and trying
# `_BOUNDARY` only there is several times faster than letting the alternation try every position.
_MAYBE = re.compile(r"[.!?;。！？；\n]")


@dataclass(frozen=True, slots=True)
class Clause:
    start: int
    end: int
    lang: str = "en"  # detected language ("en", "zh", "ja", "es", "fr", "de", "pt", …)
    field: str = ""  # JSON/YAML path when the clause sits inside a structured value
    scope: str = ""  # "constraint" when the whole clause is a negative prompt / avoid list


def split(text: str) -> list[Clause]:
    """Clauses of `text` in order, covering every non-blank stretch."""
    return list(_split(text))


@lru_cache(maxsize=8)  # one scan asks up to four times (scope, languages, scenes): split once
def _split(text: str) -> tuple[Clause, ...]:
    out: list[Clause] = []
    pos = 0
    for maybe in _MAYBE.finditer(text):
        if maybe.start() < pos:
            continue  # inside the boundary just taken ("...", "\n\n")
        m = _BOUNDARY.match(text, maybe.start())
        if m is not None:
            _add(out, text, pos, m.end())
            pos = m.end()
    _add(out, text, pos, len(text))
    return tuple(out)


def _add(out: list[Clause], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Clause(start, end))
