"""Constraint scope: the stretches of a prompt that say what must *not* be in the image.

"no gore, no nudity", "without weapons", "avoid blood", "Negative prompt: …", "不要血": a term
inside such a stretch is mentioned, not requested. Scope starts at a cue and ends at the
clause boundary (NegEx style), so "no blood. A knife fight" keeps the knife fight.

`constraint_spans(text)` is the one call: (start, end) offsets into the original text.
"""

from __future__ import annotations

import functools
import re

from workbench.core.screening import clauses as clause_split

# Cues that open a constraint; the scope runs from the cue to the end of its clause, or to a
# turn ("but", "while") or a comma that starts a new description (more than a short list item).
_CUE = re.compile(
    r"(?i)\b(?:no(?!\s+(?:more|less|longer|matter|doubt|one)\b)(?!\.\s*\d)|not(?!\s+only\b)|never|"
    r"without|avoid(?:ing|s)?|exclude[sd]?|excluding|free of|rather than|instead of|non-|"
    r"do(?:es)? not (?:include|show|add|depict|draw|render)|don'?t (?:include|show|add|depict|draw|render)|"
    r"negative prompt\s*:|sin|ohne|kein\w*|sans|pas de|sem|nenhum\w*|aucun\w*)(?=\W)"
    r"|不要|禁止|不含|没有|无|なし|無し"
)
_TURN = re.compile(r"(?i)\b(?:but|however|while|whereas|yet|instead|except)\b")
_COMMA = re.compile(r"[,，、]")
_LIST_ITEM_WORDS = 4  # "no text, logos, or watermarks": short items stay in the constraint


def constraint_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that are constraints, in order."""
    return list(_spans(text))


@functools.lru_cache(maxsize=4)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    """Cached: the scope and scene stages of one scan both ask for the same text."""
    out: list[tuple[int, int]] = []
    for clause in clause_split.split(text):
        pos = clause.start
        while pos < clause.end:
            m = _CUE.search(text, pos, clause.end)
            if m is None:
                break
            end = _scope_end(text, m.end(), clause.end)
            out.append((m.start(), end))
            pos = max(end, m.end())
    return tuple(out)


def _scope_end(text: str, start: int, limit: int) -> int:
    """Where a scope that opened at `start` ends: a turn word, or a comma followed by a long item."""
    turn = _TURN.search(text, start, limit)
    if turn is not None:
        limit = turn.start()
    for comma in _COMMA.finditer(text, start, limit):
        nxt = _COMMA.search(text, comma.end(), limit)
        item = text[comma.end() : nxt.start() if nxt else limit]
        if _CUE.search(item) is None and len(item.split()) > _LIST_ITEM_WORDS:
            return comma.start()
    return limit


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies wholly inside one of `spans`."""
    return any(s <= start and end <= e for s, e in spans)

