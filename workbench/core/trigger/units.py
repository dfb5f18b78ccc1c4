"""Clause and phrase spans of a prompt, as (start, end) offsets into the original text."""

from __future__ import annotations

import re

from workbench.core.screening.clauses import split as split_clauses

Span = tuple[int, int]

# Inside a clause, phrases end at commas, colons, dashes and the joining words a prompt uses
# to add one more thing to the scene.
_PHRASE_BREAK = re.compile(r"\s*[,:，、—–]\s*|\s+(?:and|with|while|as|but|then|holding|wearing)\s+",
                           re.IGNORECASE)


def clause_spans(text: str) -> list[Span]:
    return [(c.start, c.end) for c in split_clauses(text)]


def phrase_spans(text: str, span: Span) -> list[Span]:
    """The phrases of one clause; a clause without breaks is split into word pairs."""
    start, end = span
    out: list[Span] = []
    pos = start
    for m in _PHRASE_BREAK.finditer(text, start, end):
        _add(out, text, pos, m.start())
        pos = m.end()
    _add(out, text, pos, end)
    if len(out) > 1:
        return out
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    return [(start + words[k][0], start + words[min(k + 1, len(words) - 1)][1])
            for k in range(0, len(words), 2)] or [span]


def join(text: str, spans: list[Span]) -> str:
    """The probe text for a set of spans: the spans in prompt order, one space apart."""
    return " ".join(text[a:b].strip() for a, b in sorted(spans))


def _add(out: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".;!?"):
        end -= 1
    if end > start:
        out.append((start, end))
